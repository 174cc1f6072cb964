// The Passwords port on bcryptjs: the application hashes initial and reset passwords through it, the
// sign-in adapter checks them. The cost is the deployment's (tests run at the lowest).
import bcrypt from 'bcryptjs';
import type { Passwords } from '../engine/ports.ts';

export function bcryptPasswords(cost: number): Passwords {
  return {
    hash: (password) => bcrypt.hash(password, cost),
    verify: (password, hash) => bcrypt.compare(password, hash),
  };
}
