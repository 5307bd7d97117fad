// Users, their sessions and tokens, and the workspace directory, on each store: what every request's authentication
// and every cell's membership check read.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshStores, testStores, type TestStore } from '../../runtime/testing/stores.ts';
import { Users } from '../auth/users.ts';
import { DEFAULT_WORKSPACE, Directory } from './directory.ts';

describe.each(testStores())('users and the directory on $name', (kind) => {
  let store: TestStore;
  let users: Users;
  let dir: Directory;
  let clock = 1_800_000_000_000;
  const now = () => clock;
  const fresh = freshStores(kind);
  beforeAll(async () => {
    store = await fresh();
    users = new Users(store, now);
    dir = new Directory(store, users, now);
  });

  it('signs in, authenticates sessions and tokens until they end, and a disabled user loses both', async () => {
    const owner = await users.create({ email: 'Owner@Shop.test', role: 'owner', password: 'correct horse battery' });
    expect(owner.email).toBe('owner@shop.test');
    await expect(users.create({ email: 'owner@shop.test', role: 'viewer', password: 'x'.repeat(12) })).rejects.toThrow(/already exists/);
    expect(await users.count()).toBe(1);
    const session = await users.login('owner@shop.test', 'correct horse battery');
    expect(session).not.toBeNull();
    expect(await users.login('owner@shop.test', 'wrong password!')).toBeNull();
    expect((await users.authenticate(session!.token))?.id).toBe(owner.id);
    const { token, info } = await users.createToken(owner.id, 'ci', { expiresAt: clock + 60_000 });
    expect((await users.authenticate(token))?.email).toBe('owner@shop.test');
    expect((await users.listTokens()).find((t) => t.id === info.id)?.lastUsedAt).toBe(clock);
    clock += 61_000;
    expect(await users.authenticate(token)).toBeNull(); // expired
    expect((await users.authenticate(session!.token))?.id).toBe(owner.id);
    const ops = await users.create({ email: 'ops@shop.test', role: 'operator', password: 'ops password 1' });
    const opsToken = (await users.createToken(ops.id, 'ops')).token;
    await users.update(ops.id, { disabled: true });
    expect(await users.authenticate(opsToken)).toBeNull();
    expect(await users.listTokens()).toHaveLength(1); // the owner's; the disabled user's was revoked
    await users.logout(session!.token);
    expect(await users.authenticate(session!.token)).toBeNull();
    await expect(users.revokeToken('tok_none')).rejects.toThrow(/not found/);
  });

  it('knows the deployment owner, each user’s role per workspace, and the members of each', async () => {
    const owner = (await users.byEmail('owner@shop.test'))!;
    expect(await dir.ownerId()).toBe(owner.id);
    await dir.create({ id: 'brand-b', name: 'Brand B' });
    await expect(dir.create({ id: 'brand-b' })).rejects.toThrow(/already exists/);
    await expect(dir.create({ id: 'Brand_C' })).rejects.toThrow(/lower-case/);
    expect((await dir.list()).map((w) => w.id)).toEqual([DEFAULT_WORKSPACE, 'brand-b']);

    clock += 1;
    const b = await dir.createMemberUser('brand-b', { email: 'b@brand.test', role: 'consultant', password: 'brand b password' });
    const c = await users.create({ email: 'c@shop.test', role: 'client', password: 'client password 1' });
    expect(await dir.roleOf(b.id, 'brand-b')).toBe('consultant');
    expect(await dir.roleOf(b.id, DEFAULT_WORKSPACE)).toBeNull(); // kept out of the default workspace
    expect(await dir.roleOf(c.id, DEFAULT_WORKSPACE)).toBe('client');
    expect(await dir.roleOf(c.id, 'brand-b')).toBeNull();
    expect(await dir.roleOf(owner.id, 'brand-b')).toBe('owner');
    expect((await dir.workspacesOf(b.id)).map((w) => [w.id, w.role])).toEqual([['brand-b', 'consultant']]);
    expect((await dir.workspacesOf(owner.id)).map((w) => [w.id, w.role])).toEqual([
      [DEFAULT_WORKSPACE, 'owner'],
      ['brand-b', 'owner'],
    ]);

    clock += 5_000;
    await dir.setMember('brand-b', c.id, 'viewer');
    const members = await dir.members('brand-b');
    expect(members.map((m) => [m.user.email, m.role]).sort()).toEqual(
      [
        ['b@brand.test', 'consultant'],
        ['c@shop.test', 'viewer'],
        ['owner@shop.test', 'owner'],
      ].sort(),
    );
    // "since" is when they joined this workspace, not when the account was made.
    expect(members.find((m) => m.user.id === c.id)?.since).toBe(clock);
    await dir.setRole('brand-b', c.id, 'operator');
    expect(await dir.membershipsOf(c.id)).toEqual([
      { id: DEFAULT_WORKSPACE, role: 'client' },
      { id: 'brand-b', role: 'operator' },
    ]);
    await expect(dir.setMember('brand-b', owner.id, 'viewer')).rejects.toThrow(/owner of every workspace/);
    // Two workspaces: only the deployment owner manages accounts.
    expect(await dir.managesAccounts(owner.id)).toBe(true);
    expect(await dir.managesAccounts(b.id)).toBe(false);
  });

  it('a disabled owner is no longer the deployment owner; the next owner of the default workspace is', async () => {
    const first = (await users.byEmail('owner@shop.test'))!;
    clock += 1;
    const second = await users.create({ email: 'second@shop.test', role: 'owner', password: 'second owner pw' });
    expect(await dir.ownerId()).toBe(first.id);
    await users.update(first.id, { disabled: true });
    expect(await dir.ownerId()).toBe(second.id);
  });
});
