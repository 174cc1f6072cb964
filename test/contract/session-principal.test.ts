// The session read every browser request starts with (issue 17): the session, its user and the
// user's grants in one query must say exactly what the three reads it replaces say — for a user with
// several grants, with none, deactivated, after a grant is added or removed, after a unit moves, and
// for a session that does not exist — on SQLite and PostgreSQL.
import { expect } from 'chai';
import type { Runtime } from '../../adapters/runtime.ts';
import { KnexAccounts } from '../../adapters/store/account-store.ts';
import { at8, openTestRuntime, PROVINCE, STORES } from '../support/runtime.ts';

const START = at8('2022-03-01');

for (const kind of STORES) {
  describe(`the session with its user and grants in one read, on ${kind}`, function () {
    let rt: Runtime;
    let close: () => Promise<void>;
    let accounts: KnexAccounts;

    beforeEach(async function () {
      ({ rt, close } = await openTestRuntime(this, kind, START));
      await rt.engine.addUnits(PROVINCE);
      accounts = new KnexAccounts(rt.db);
    });
    afterEach(async () => close?.());

    /** What the three reads say, shaped as the one read answers. */
    async function threeReads(idHash: string) {
      const row = await rt.db('sessions').where({ id_hash: idHash }).first();
      if (!row) return undefined;
      const session = { userId: row.user_id as string, csrfToken: row.csrf_token as string, expiresAt: Number(row.expires_at) };
      const user = (await accounts.getUser(session.userId))!;
      return { ...session, user, grants: await accounts.grantsOf(session.userId) };
    }

    async function user(id: string, grants: { role: 'staff' | 'supervisor' | 'admin'; unitId: string }[], unitId?: string) {
      await accounts.putUser(
        { id, login: `login-${id}`, name: `Người ${id}`, email: `${id}@x.vn`, ...(unitId ? { unitId } : {}), passwordHash: '$2a$04$x', createdAt: START },
        grants,
      );
      await accounts.putSession({ idHash: `h-${id}`, userId: id, csrfToken: `csrf-${id}`, createdAt: START, expiresAt: START + 3_600_000 });
    }

    it('answers what the session row, getUser and grantsOf answer, through every change of the grants', async () => {
      await user(
        'a',
        [
          { role: 'supervisor', unitId: 'pgd_a' },
          { role: 'staff', unitId: 'th_a1' },
          { role: 'admin', unitId: 'so' },
        ],
        'pgd_a',
      );
      await user('b', []);
      await user('c', [{ role: 'staff', unitId: 'th_a2' }]);
      for (const id of ['a', 'b', 'c']) expect(await accounts.sessionPrincipal(`h-${id}`)).to.deep.equal(await threeReads(`h-${id}`));
      expect((await accounts.sessionPrincipal('h-a'))!.grants.map((g) => g.unitId)).to.deep.equal(['so', 'pgd_a', 'th_a1']);
      expect((await accounts.sessionPrincipal('h-b'))!.grants).to.deep.equal([]);

      await accounts.addGrant('b', { role: 'staff', unitId: 'th_a1' }, []);
      await accounts.removeGrant('a', { role: 'staff', unitId: 'th_a1' }, []);
      await accounts.setActive('c', false, []);
      for (const id of ['a', 'b']) expect(await accounts.sessionPrincipal(`h-${id}`)).to.deep.equal(await threeReads(`h-${id}`));
      // deactivating ends the sessions: neither read finds one
      expect(await accounts.sessionPrincipal('h-c')).to.equal(await threeReads('h-c'));
      expect(await accounts.sessionPrincipal('nope')).to.equal(undefined);
    });

    it('answers each of many sessions read at once with its own user and grants (reads arriving together share one query)', async () => {
      await user('a', [{ role: 'supervisor', unitId: 'pgd_a' }]);
      await user('b', [
        { role: 'staff', unitId: 'th_a1' },
        { role: 'staff', unitId: 'th_a2' },
      ]);
      await user('c', []);
      const asked = ['h-b', 'nope', 'h-a', 'h-c', 'h-b', 'h-a'];
      const together = await Promise.all(asked.map((h) => accounts.sessionPrincipal(h)));
      const oneByOne = [];
      for (const h of asked) oneByOne.push(await threeReads(h));
      expect(together).to.deep.equal(oneByOne);
      expect(together.map((p) => p?.userId)).to.deep.equal(['b', undefined, 'a', 'c', 'b', 'a']);
      // a session ended while reads wait is not found by a read asked after it ended
      await accounts.deleteSession('h-a');
      const [a, b] = await Promise.all([accounts.sessionPrincipal('h-a'), accounts.sessionPrincipal('h-b')]);
      expect(a).to.equal(undefined);
      expect(b!.userId).to.equal('b');
    });

    it('reads a grant at its unit’s current path after the unit moves', async () => {
      await user('d', [{ role: 'staff', unitId: 'th_a1' }]);
      await rt.engine.reshapeUnits({
        put: [],
        updates: [],
        moves: [{ unitId: 'th_a1', parentId: 'pgd_b', fromPath: '/so/pgd_a/th_a1/', toPath: '/so/pgd_b/th_a1/' }],
        merges: [],
        closes: [],
        at: START,
        actor: 'admin',
        reason: 'sáp nhập',
        audit: [],
      });
      const one = (await accounts.sessionPrincipal('h-d'))!;
      expect(one).to.deep.equal(await threeReads('h-d'));
      expect(one.grants[0]!.unitPath).to.equal('/so/pgd_b/th_a1/');
    });
  });
}
