// Local users, their login sessions and API tokens.
import { randomBytes } from 'node:crypto';
import { and, count, eq, gt, lt } from 'drizzle-orm';
import type { ServerDb } from '../db/db.ts';
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

export class Users {
  constructor(
    private db: ServerDb,
    private now: () => number = Date.now,
  ) {}

  count(): number {
    return this.db.select({ n: count() }).from(users).get()?.n ?? 0;
  }

  list(): User[] {
    return this.db.select().from(users).all().map(toUser);
  }

  get(id: string): User {
    const r = this.db.select().from(users).where(eq(users.id, id)).get();
    if (!r) throw new UserError(`user "${id}" not found`, 404);
    return toUser(r);
  }

  byEmail(email: string): User | undefined {
    const r = this.db.select().from(users).where(eq(users.email, email.toLowerCase())).get();
    return r ? toUser(r) : undefined;
  }

  async create(u: { email: string; name?: string; role: string; password: string }): Promise<User> {
    if (!ROLES.includes(u.role as Role)) throw new UserError(`unknown role "${u.role}" (one of ${ROLES.join(', ')})`);
    const email = u.email.trim().toLowerCase();
    if (this.byEmail(email)) throw new UserError(`a user with email "${email}" already exists`, 409);
    const row = {
      id: newId('usr'),
      email,
      name: u.name ?? email.split('@')[0]!,
      role: u.role,
      passwordHash: await hashPassword(u.password),
      disabled: false,
      createdAt: this.now(),
    };
    this.db.insert(users).values(row).run();
    return toUser(row);
  }

  async update(id: string, patch: { name?: string; role?: string; password?: string; disabled?: boolean }): Promise<User> {
    this.get(id);
    if (patch.role !== undefined && !ROLES.includes(patch.role as Role)) throw new UserError(`unknown role "${patch.role}" (one of ${ROLES.join(', ')})`);
    const set: Partial<typeof users.$inferInsert> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.disabled !== undefined) set.disabled = patch.disabled;
    if (patch.password !== undefined) set.passwordHash = await hashPassword(patch.password);
    if (Object.keys(set).length) this.db.update(users).set(set).where(eq(users.id, id)).run();
    // A password change, role change or disabling ends the user's sessions; disabling also revokes their API
    // tokens (re-enabling a user must not bring old tokens back to life).
    if (patch.password !== undefined || patch.disabled || patch.role !== undefined) this.db.delete(sessions).where(eq(sessions.userId, id)).run();
    if (patch.disabled) this.db.delete(apiTokens).where(eq(apiTokens.userId, id)).run();
    return this.get(id);
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
    const row = this.db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
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
    const token = newToken(SESSION_PREFIX);
    const t = this.now();
    this.db.delete(sessions).where(lt(sessions.expiresAt, t)).run();
    this.db
      .insert(sessions)
      .values({ tokenHash: hashToken(token), userId: row.id, createdAt: t, expiresAt: t + SESSION_TTL_MS })
      .run();
    return { token, user: toUser(row), expiresAt: t + SESSION_TTL_MS };
  }

  logout(token: string): void {
    this.db
      .delete(sessions)
      .where(eq(sessions.tokenHash, hashToken(token)))
      .run();
  }

  /** The user behind a session or API token, or null. */
  authenticate(token: string): User | null {
    const h = hashToken(token);
    let userId: string | undefined;
    if (token.startsWith(SESSION_PREFIX)) {
      userId = this.db
        .select({ u: sessions.userId })
        .from(sessions)
        .where(and(eq(sessions.tokenHash, h), gt(sessions.expiresAt, this.now())))
        .get()?.u;
    } else if (token.startsWith(API_TOKEN_PREFIX)) {
      const r = this.db
        .select({ id: apiTokens.id, u: apiTokens.userId, expiresAt: apiTokens.expiresAt })
        .from(apiTokens)
        .where(eq(apiTokens.tokenHash, h))
        .get();
      if (r && (r.expiresAt === null || r.expiresAt > this.now())) {
        userId = r.u;
        this.db.update(apiTokens).set({ lastUsedAt: this.now() }).where(eq(apiTokens.id, r.id)).run();
      }
    }
    if (!userId) return null;
    const u = this.db.select().from(users).where(eq(users.id, userId)).get();
    return u && !u.disabled ? toUser(u) : null;
  }

  /** Creates an API token; the token text is returned once and only its hash is kept. */
  createToken(userId: string, name: string, opts: { expiresAt?: number | null } = {}): { token: string; info: TokenInfo } {
    const user = this.get(userId);
    if (user.disabled) throw new UserError(`user "${user.email}" is disabled; a disabled user gets no API token`, 409);
    const expiresAt = opts.expiresAt ?? null;
    if (expiresAt !== null && !(expiresAt > this.now())) throw new UserError('expiresAt must be in the future');
    const token = newToken(API_TOKEN_PREFIX);
    const info = { id: newId('tok'), userId, name, createdAt: this.now(), lastUsedAt: null, expiresAt };
    this.db
      .insert(apiTokens)
      .values({ ...info, tokenHash: hashToken(token) })
      .run();
    return { token, info };
  }

  listTokens(): TokenInfo[] {
    return this.db
      .select({
        id: apiTokens.id,
        userId: apiTokens.userId,
        name: apiTokens.name,
        createdAt: apiTokens.createdAt,
        lastUsedAt: apiTokens.lastUsedAt,
        expiresAt: apiTokens.expiresAt,
      })
      .from(apiTokens)
      .all();
  }

  revokeToken(id: string): void {
    if (this.db.delete(apiTokens).where(eq(apiTokens.id, id)).run().changes === 0) throw new UserError(`token "${id}" not found`, 404);
  }

  /**
   * On an empty user table, creates the first admin. The password comes from the environment or is generated;
   * a generated one is returned so the caller can print it once.
   */
  async ensureFirstAdmin(env: { email?: string; password?: string }): Promise<{ email: string; generatedPassword?: string } | null> {
    if (this.count() > 0) return null;
    const email = env.email || 'admin@localhost';
    const generated = env.password ? undefined : randomBytes(15).toString('base64url');
    await this.create({ email, name: 'Administrator', role: 'owner', password: env.password || generated! });
    return { email, generatedPassword: generated };
  }
}
