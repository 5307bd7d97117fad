// Adding members by email and the users a workspace shows. A workspace owner (not the deployment owner) must not
// learn which emails have an account elsewhere in the deployment: adding one answers the same whether it had one or
// not (status, body, audit entry, time). A workspace's user list holds its members with their role there; the
// deployment owner sees every account with its workspaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scryptCost } from '../auth/passwords.ts';
import { ADMIN } from '../testing.ts';
import { testDeployment, type TestDeployment } from './testing.ts';
import { workspaceUserScope } from './user-scope.ts';

let t: TestDeployment;
let bOwner = '';
let cOwner = '';

beforeAll(async () => {
  t = await testDeployment();
  for (const id of ['a', 'b', 'c'])
    expect((await t.json('POST', '/api/workspaces', { token: t.ownerToken, body: { id, name: `Workspace ${id}` } })).status).toBe(201);
  const dir = t.d.directory;
  // Accounts of workspace A only: B's owner has no business knowing they exist.
  for (const email of ['ann@a.example', 'art@a.example', 'amy@a.example', 'abe@a.example', 'ada@a.example', 'ali@a.example', 'aya@a.example'])
    await dir.createMemberUser('a', { email, name: `Secret name ${email}`, role: 'consultant', password: 'password-a-1' });
  bOwner = (await dir.users.createToken((await dir.createMemberUser('b', { email: 'owner@b.example', role: 'owner', password: 'password-b-1' })).id, 't'))
    .token;
  cOwner = (await dir.users.createToken((await dir.createMemberUser('c', { email: 'owner@c.example', role: 'owner', password: 'password-c-1' })).id, 't'))
    .token;
}, 60_000);
afterAll(() => t?.close());

const add = (token: string, ws: string, body: Record<string, unknown>) => t.json('POST', `/api/workspaces/${ws}/members`, { token, body });
/** The answer with the email taken out: what is left must not depend on whether the account existed. */
const shape = (r: { status: number; body: unknown }, email: string) => ({
  status: r.status,
  body: JSON.parse(JSON.stringify(r.body).replaceAll(email, '<email>')),
});

describe("a workspace owner adding a member by email learns nothing of the deployment's other accounts", () => {
  it('answers an existing account and an unknown email alike: status, body, error, audit entry', async () => {
    // No password: refused the same way for both (a password is needed whenever the email is not a member yet).
    const noPw = [await add(bOwner, 'b', { email: 'ann@a.example', role: 'client' }), await add(bOwner, 'b', { email: 'nobody@x.example', role: 'client' })];
    expect(noPw.map((r) => r.status)).toEqual([400, 400]);
    expect(shape(noPw[0]!, 'ann@a.example')).toEqual(shape(noPw[1]!, 'nobody@x.example'));

    const existing = await add(bOwner, 'b', { email: 'Ann@A.example', role: 'client', password: 'first-password-1', name: 'Ann' });
    const fresh = await add(bOwner, 'b', { email: 'new@x.example', role: 'client', password: 'first-password-1', name: 'Ann' });
    expect(existing.status).toBe(202);
    expect(shape(existing, 'ann@a.example')).toEqual(shape(fresh, 'new@x.example'));
    expect(fresh.body).toEqual({ email: 'new@x.example', role: 'client', workspace: 'b' });

    // Both are members of B now. The existing account kept its own password and name (B's owner set neither).
    const dir = t.d.directory;
    expect(await dir.roleOf((await dir.users.byEmail('ann@a.example'))!.id, 'b')).toBe('client');
    expect(await dir.roleOf((await dir.users.byEmail('new@x.example'))!.id, 'b')).toBe('client');
    expect(await dir.users.login('ann@a.example', 'first-password-1')).toBeNull();
    expect(await dir.users.login('ann@a.example', 'password-a-1')).not.toBeNull();
    expect(await dir.users.login('new@x.example', 'first-password-1')).not.toBeNull();
    expect((await dir.users.byEmail('ann@a.example'))!.name).toBe('Secret name ann@a.example');

    // B's audit log (read by B's members) records the two adds alike.
    const audit = (await t.json('GET', '/api/audit', { token: bOwner, workspace: 'b' })).body.entries as { action: string; target: string; details: unknown }[];
    const adds = audit.filter((e) => e.action === 'workspace.member');
    expect(adds.map((e) => [e.target, e.details])).toEqual(
      expect.arrayContaining([
        ['user:ann@a.example', { role: 'client' }],
        ['user:new@x.example', { role: 'client' }],
      ]),
    );
    expect(adds).toHaveLength(2);
  });

  it("the member list shows a member's join date, not how old their account is", async () => {
    const members = (await t.json('GET', '/api/workspaces/b/members', { token: bOwner })).body.members as {
      user: Record<string, unknown>;
      since: number;
    }[];
    const ann = members.find((m) => m.user.email === 'ann@a.example')!;
    expect(ann.user).not.toHaveProperty('createdAt');
    const fresh = members.find((m) => m.user.email === 'new@x.example')!;
    expect(Math.abs(ann.since - fresh.since)).toBeLessThan(5_000);
    // The deployment owner sees the account's age too.
    const all = (await t.json('GET', '/api/workspaces/b/members', { token: t.ownerToken })).body.members as { user: { email: string; createdAt?: number } }[];
    expect(all.find((m) => m.user.email === 'ann@a.example')!.user.createdAt).toEqual(expect.any(Number));
  });

  it('changing the role of one of their members is answered as such (they know their members)', async () => {
    const r = await add(bOwner, 'b', { email: 'ann@a.example', role: 'operator' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user: { email: 'ann@a.example' }, role: 'operator' });
    // The deployment owner is a member (owner) of every workspace; that is no secret, and cannot be changed.
    expect((await add(bOwner, 'b', { email: ADMIN.email, role: 'viewer' })).status).toBe(409);
  });

  it('takes as long for an existing account as for an unknown email (one password hash each, at the real cost)', async () => {
    const saved = scryptCost.N;
    scryptCost.N = 1 << 15; // the production cost: what the answer time would otherwise reveal is the hash
    try {
      const time = async (email: string) => {
        const t0 = performance.now();
        expect((await add(cOwner, 'c', { email, role: 'viewer', password: 'first-password-2' })).status).toBe(202);
        return performance.now() - t0;
      };
      const existing: number[] = [];
      const unknown: number[] = [];
      // Interleaved, so a busy moment of the machine weighs on both alike.
      for (const [i, email] of ['art', 'amy', 'abe', 'ada', 'ali'].entries()) {
        existing.push(await time(`${email}@a.example`));
        unknown.push(await time(`unknown-${i}@x.example`));
      }
      const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const ratio = median(existing) / median(unknown);
      // Without a hash on the existing path this ratio is ~0.02 (a few ms against one scrypt of ~50-100 ms).
      expect(ratio, `existing ${median(existing).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    } finally {
      scryptCost.N = saved;
    }
  }, 60_000);

  it('tells the deployment owner which case it was', async () => {
    expect((await add(t.ownerToken, 'c', { email: 'ann@a.example', role: 'viewer' })).status).toBe(200);
    expect((await add(t.ownerToken, 'c', { email: 'none@x.example', role: 'viewer' })).status).toBe(404);
    expect((await add(t.ownerToken, 'c', { email: 'made@x.example', role: 'viewer', password: 'first-password-3' })).status).toBe(201);
  });
});

describe("a workspace's users", () => {
  type Listed = { email: string; role: string | null; workspaces?: { id: string; role: string }[] };

  it('are its members with their role there; no account of another workspace appears with a made-up role', async () => {
    const dir = t.d.directory;
    const bOwnerId = (await dir.users.byEmail('owner@b.example'))!.id;
    const listed = await workspaceUserScope(() => dir, 'b').list(bOwnerId);
    expect(listed.map((u) => [u.email, u.role]).sort()).toEqual(
      [
        [ADMIN.email, 'owner'],
        ['ann@a.example', 'operator'],
        ['new@x.example', 'client'],
        ['owner@b.example', 'owner'],
      ].sort(),
    );
    expect(listed.some((u) => 'workspaces' in u)).toBe(false);
    // And nobody outside it through get (PUT /api/users/{id} finds them 404 there).
    await expect(workspaceUserScope(() => dir, 'b').get(bOwnerId, (await dir.users.byEmail('aya@a.example'))!.id)).rejects.toThrow(/not found/);
  });

  it('are listed to the deployment owner as every account, with its workspaces and its role here (null: not a member)', async () => {
    const r = await t.json('GET', '/api/users', { token: t.ownerToken, workspace: 'b' });
    expect(r.status).toBe(200);
    const users = r.body.users as Listed[];
    const by = (email: string) => users.find((u) => u.email === email)!;
    expect(by('aya@a.example')).toMatchObject({ role: null, workspaces: [{ id: 'a', role: 'consultant' }] });
    expect(by('ann@a.example')).toMatchObject({
      role: 'operator',
      workspaces: [
        { id: 'a', role: 'consultant' },
        { id: 'b', role: 'operator' },
        { id: 'c', role: 'viewer' },
      ],
    });
    expect(by('owner@c.example')).toMatchObject({ role: null, workspaces: [{ id: 'c', role: 'owner' }] });
    // The default workspace's list: B's owner is no "viewer" of it.
    const inDefault = (await t.json('GET', '/api/users', { token: t.ownerToken })).body.users as Listed[];
    expect(inDefault.find((u) => u.email === 'owner@b.example')).toMatchObject({ role: null, workspaces: [{ id: 'b', role: 'owner' }] });
    expect(inDefault.filter((u) => u.role === 'viewer')).toEqual([]);
  });

  it("a role set from a workspace's user list is the role in that workspace, and an account made there is its member", async () => {
    const dir = t.d.directory;
    const aya = (await dir.users.byEmail('aya@a.example'))!;
    const put = await t.json('PUT', `/api/users/${aya.id}`, { token: t.ownerToken, workspace: 'b', body: { role: 'viewer' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ role: 'viewer' });
    expect([await dir.roleOf(aya.id, 'a'), await dir.roleOf(aya.id, 'b'), await dir.roleOf(aya.id, 'default')]).toEqual(['consultant', 'viewer', null]);
    // B's audit log (read by B's members) records the change without the user's other workspaces.
    const entries = (await t.json('GET', '/api/audit', { token: bOwner, workspace: 'b' })).body.entries as { action: string; details: unknown }[];
    const update = entries.find((e) => e.action === 'user.update')!;
    expect(update.details).toMatchObject({ after: { email: 'aya@a.example', role: 'viewer' } });
    expect(JSON.stringify(update)).not.toContain('workspaces');
    const made = await t.json('POST', '/api/users', {
      token: t.ownerToken,
      workspace: 'c',
      body: { email: 'cleo@c.example', role: 'operator', password: 'password-c-2' },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ email: 'cleo@c.example', role: 'operator' });
    const cleo = (await dir.users.byEmail('cleo@c.example'))!;
    expect([await dir.roleOf(cleo.id, 'c'), await dir.roleOf(cleo.id, 'default')]).toEqual(['operator', null]);
  });

  it('are not reachable through /api/users or /api/tokens by a workspace owner (the designer is told to use members)', async () => {
    expect((await t.json('GET', '/api/workspaces', { token: bOwner })).body).toMatchObject({ owner: false, accounts: false });
    expect((await t.json('GET', '/api/workspaces', { token: t.ownerToken })).body).toMatchObject({ owner: true, accounts: true });
    for (const [m, p] of [
      ['GET', '/api/users'],
      ['GET', '/api/tokens'],
    ] as const)
      expect((await t.json(m, p, { token: bOwner, workspace: 'b' })).status, `${m} ${p}`).toBe(403);
  });

  it("do not show up in another workspace's audit log by signing in through it", async () => {
    // The designer signs in without naming a workspace (the default's cell answers) or naming the last one used.
    for (const workspace of [undefined, 'b'])
      expect((await t.json('POST', '/api/auth/login', { workspace, body: { email: 'owner@c.example', password: 'password-c-1' } })).status).toBe(200);
    expect((await t.json('POST', '/api/auth/login', { workspace: 'b', body: { email: 'owner@b.example', password: 'password-b-1' } })).status).toBe(200);
    const logins = async (ws: string) =>
      ((await t.json('GET', '/api/audit', { token: t.ownerToken, workspace: ws })).body.entries as { action: string; actor: string }[])
        .filter((e) => e.action === 'auth.login')
        .map((e) => e.actor);
    expect(await logins('default')).toEqual([]);
    expect(await logins('b')).toEqual(['owner@b.example']);
  });
});
