// Local users, their login sessions and API tokens.
import { randomBytes } from 'node:crypto';
import { and, count, eq, gt, lt } from 'drizzle-orm';
import type { Store } from '../../runtime/store/db.ts';
import type { SqlStore } from '../../runtime/store/sql-store.ts';
import { apiTokens, sessions, users } from '../db/schema.ts';
import { currentCostPrefix, dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { API_TOKEN_PREFIX, SESSION_PREFIX, hashToken, newToken } from './tokens.ts';
import { ROLES, type Role } from './roles.ts';
import { newId } from '../../runtime/ids.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
}

export interface TokenInfo {
  id: string;
  userId: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** Null: never expires. */
  expiresAt: number | null;
}

export class UserError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

const SESSION_TTL_MS = 12 * 3600_000;

function toUser(r: typeof users.$inferSelect): User {
  return { id: r.id, email: r.email, name: r.name, role: r.role as Role, disabled: r.disabled, createdAt: r.createdAt };
}

type Tables = { users: typeof users; sessions: typeof sessions; apiTokens: typeof apiTokens };

export class Users {
  private readonly store: SqlStore<Tables>;
  private readonly t: Tables;

  constructor(
    store: Pick<Store, 'sql'>,
    private now: () => number = Date.now,
  ) {
    this.store = store.sql({ users, sessions, apiTokens });
    this.t = this.store.tables;
  }

  private get db() {
    return this.store.db;
  }

  async count(): Promise<number> {
    const [r] = await this.db.select({ n: count() }).from(this.t.users);
    return Number(r?.n ?? 0);
  }

  async list(): Promise<User[]> {
    return (await this.db.select().from(this.t.users).orderBy(this.t.users.createdAt, this.t.users.id)).map(toUser);
  }

  async get(id: string): Promise<User> {
    const [r] = await this.db.select().from(this.t.users).where(eq(this.t.users.id, id));
    if (!r) throw new UserError(`user "${id}" not found`, 404);
    return toUser(r);
  }

  async byEmail(email: string): Promise<User | undefined> {
    const [r] = await this.db.select().from(this.t.users).where(eq(this.t.users.email, email.toLowerCase()));
    return r ? toUser(r) : undefined;
  }

  async create(u: { email: string; name?: string; role: string; password: string }): Promise<User> {
    if (!ROLES.includes(u.role as Role)) throw new UserError(`unknown role "${u.role}" (one of ${ROLES.join(', ')})`);
    const email = u.email.trim().toLowerCase();
    if (await this.byEmail(email)) throw new UserError(`a user with email "${email}" already exists`, 409);
    const row = {
      id: newId('usr'),
      email,
      name: u.name ?? email.split('@')[0]!,
      role: u.role,
      passwordHash: await hashPassword(u.password),
      disabled: false,
      createdAt: this.now(),
    };
    await this.db.insert(this.t.users).values(row);
    return toUser(row);
  }

  async update(id: string, patch: { name?: string; role?: string; password?: string; disabled?: boolean }): Promise<User> {
    await this.get(id);
    if (patch.role !== undefined && !ROLES.includes(patch.role as Role)) throw new UserError(`unknown role "${patch.role}" (one of ${ROLES.join(', ')})`);
    const { users: u, sessions: se, apiTokens: at } = this.t;
    const set: Partial<typeof users.$inferInsert> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.disabled !== undefined) set.disabled = patch.disabled;
    if (patch.password !== undefined) set.passwordHash = await hashPassword(patch.password);
    if (Object.keys(set).length) await this.db.update(u).set(set).where(eq(u.id, id));
    // A password change, role change or disabling ends the user's sessions; disabling also revokes their API
    // tokens (re-enabling a user must not bring old tokens back to life).
    if (patch.password !== undefined || patch.disabled || patch.role !== undefined) await this.db.delete(se).where(eq(se.userId, id));
    if (patch.disabled) await this.db.delete(at).where(eq(at.userId, id));
    return this.get(id);
  }

  /** Whether this is the user's password (their own change of it asks for it first). */
  async checkPassword(id: string, password: string, gate: <T>(f: () => Promise<T>) => Promise<T> = (f) => f()): Promise<boolean> {
    const [row] = await this.db.select().from(this.t.users).where(eq(this.t.users.id, id));
    if (!row || row.disabled) return false;
    return gate(() => verifyPassword(password, row.passwordHash));
  }

  /** How long a password check takes here (moving average), so an unknown email can be answered as slowly. */
  private hashMs: number | undefined;

  /**
   * Checks the password and opens a session. Null for an unknown email, a wrong password or a disabled user.
   * `gate` bounds concurrent hashing (routes/auth.ts). An unknown email costs no hash (that was free CPU for an
   * attacker): it is answered after the time a real check takes, so timing does not tell which emails exist.
   */
  async login(
    email: string,
    password: string,
    opts: { gate?: <T>(f: () => Promise<T>) => Promise<T> } = {},
  ): Promise<{ token: string; user: User; expiresAt: number } | null> {
    const [row] = await this.db.select().from(this.t.users).where(eq(this.t.users.email, email.trim().toLowerCase()));
    const gate = opts.gate ?? (<T>(f: () => Promise<T>) => f());
    if (!row && this.hashMs !== undefined) {
      await new Promise((r) => setTimeout(r, this.hashMs! * (0.9 + Math.random() * 0.2)));
      return null;
    }
    const ok = await gate(async () => {
      const t0 = performance.now();
      const r = await verifyPassword(password, row?.passwordHash ?? dummyHash());
      const ms = performance.now() - t0;
      // Only hashes at the current cost count (a user created with older parameters would skew it).
      if (!row || row.passwordHash.startsWith(currentCostPrefix())) this.hashMs = this.hashMs === undefined ? ms : this.hashMs * 0.8 + ms * 0.2;
      return r;
    });
    if (!row || !ok || row.disabled) return null;
    return this.openSession(toUser(row));
  }

  /** A new session for a user whose password was just checked (login, or their own change of it). */
  async openSession(user: User): Promise<{ token: string; user: User; expiresAt: number }> {
    const token = newToken(SESSION_PREFIX);
    const t = this.now();
    const se = this.t.sessions;
    await this.db.delete(se).where(lt(se.expiresAt, t));
    await this.db.insert(se).values({ tokenHash: hashToken(token), userId: user.id, createdAt: t, expiresAt: t + SESSION_TTL_MS });
    return { token, user, expiresAt: t + SESSION_TTL_MS };
  }

  async logout(token: string): Promise<void> {
    await this.db.delete(this.t.sessions).where(eq(this.t.sessions.tokenHash, hashToken(token)));
  }

  /** The user behind a session or API token, or null. */
  async authenticate(token: string): Promise<User | null> {
    const h = hashToken(token);
    const { users: us, sessions: se, apiTokens: at } = this.t;
    let userId: string | undefined;
    if (token.startsWith(SESSION_PREFIX)) {
      const [r] = await this.db
        .select({ u: se.userId })
        .from(se)
        .where(and(eq(se.tokenHash, h), gt(se.expiresAt, this.now())));
      userId = r?.u;
    } else if (token.startsWith(API_TOKEN_PREFIX)) {
      const [r] = await this.db.select({ id: at.id, u: at.userId, expiresAt: at.expiresAt }).from(at).where(eq(at.tokenHash, h));
      if (r && (r.expiresAt === null || r.expiresAt > this.now())) {
        userId = r.u;
        await this.db.update(at).set({ lastUsedAt: this.now() }).where(eq(at.id, r.id));
      }
    }
    if (!userId) return null;
    const [u] = await this.db.select().from(us).where(eq(us.id, userId));
    return u && !u.disabled ? toUser(u) : null;
  }

  /** Creates an API token; the token text is returned once and only its hash is kept. */
  async createToken(userId: string, name: string, opts: { expiresAt?: number | null } = {}): Promise<{ token: string; info: TokenInfo }> {
    const user = await this.get(userId);
    if (user.disabled) throw new UserError(`user "${user.email}" is disabled; a disabled user gets no API token`, 409);
    const expiresAt = opts.expiresAt ?? null;
    if (expiresAt !== null && !(expiresAt > this.now())) throw new UserError('expiresAt must be in the future');
    const token = newToken(API_TOKEN_PREFIX);
    const info = { id: newId('tok'), userId, name, createdAt: this.now(), lastUsedAt: null, expiresAt };
    await this.db.insert(this.t.apiTokens).values({ ...info, tokenHash: hashToken(token) });
    return { token, info };
  }

  listTokens(): Promise<TokenInfo[]> {
    const at = this.t.apiTokens;
    return this.db
      .select({ id: at.id, userId: at.userId, name: at.name, createdAt: at.createdAt, lastUsedAt: at.lastUsedAt, expiresAt: at.expiresAt })
      .from(at)
      .orderBy(at.createdAt, at.id);
  }

  async revokeToken(id: string): Promise<void> {
    const gone = await this.db.delete(this.t.apiTokens).where(eq(this.t.apiTokens.id, id)).returning({ id: this.t.apiTokens.id });
    if (gone.length === 0) throw new UserError(`token "${id}" not found`, 404);
  }

  /**
   * On an empty user table, creates the first admin. The password comes from the environment or is generated;
   * a generated one is returned so the caller can print it once.
   */
  async ensureFirstAdmin(env: { email?: string; password?: string }): Promise<{ email: string; generatedPassword?: string } | null> {
    if ((await this.count()) > 0) return null;
    const email = env.email || 'admin@localhost';
    const generated = env.password ? undefined : randomBytes(15).toString('base64url');
    await this.create({ email, name: 'Administrator', role: 'owner', password: env.password || generated! });
    return { email, generatedPassword: generated };
  }
}
