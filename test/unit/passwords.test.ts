// Passwords people choose are hashed at the deployment's bcrypt cost; generated one-time passwords
// (about 70 random bits, changed at the first sign-in) at a lower one, so a province's bulk accounts
// do not take a minute — both verify the same way.
import { expect } from 'chai';
import { bcryptPasswords } from '../../adapters/passwords.ts';

describe('password hashes', () => {
  it('hashes chosen passwords at the configured cost and one-time ones at cost 5, never above the configured one', async () => {
    const at10 = bcryptPasswords(10);
    const chosen = await at10.hash('mật-khẩu-của-tôi');
    const oneTime = await at10.hashOneTime('a7KpQ2mXz9Rb');
    expect(chosen).to.match(/^\$2[aby]\$10\$/);
    expect(oneTime).to.match(/^\$2[aby]\$05\$/);
    expect(await at10.verify('a7KpQ2mXz9Rb', oneTime)).to.equal(true);
    expect(await at10.verify('mật-khẩu-của-tôi', chosen)).to.equal(true);
    expect(await bcryptPasswords(4).hashOneTime('a7KpQ2mXz9Rb')).to.match(/^\$2[aby]\$04\$/);
  });
});
