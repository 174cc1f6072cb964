// The Passwords port on bcryptjs: the application hashes initial and reset passwords through it, the
// sign-in adapter checks them. The cost is the deployment's (tests run at the lowest).
import bcrypt from 'bcryptjs';
import type { Passwords } from '../engine/ports.ts';

/** bcrypt cost of generated one-time passwords: ~1 ms, against ~70 ms at the default 10. */
const ONE_TIME_COST = 5;

export function bcryptPasswords(cost: number): Passwords {
  return {
    hash: (password) => bcrypt.hash(password, cost),
    // 2^70 guesses stay out of reach at any cost; bcrypt's floor (4) keeps the format the same.
    hashOneTime: (password) => bcrypt.hash(password, Math.min(cost, ONE_TIME_COST)),
    verify: (password, hash) => bcrypt.compare(password, hash),
  };
}
