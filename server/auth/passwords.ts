// Password hashing with scrypt (memory-hard). Parameters are stored with the hash so they can be raised later.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (e, k) => (e ? reject(e) : resolve(k))));

// N=2^15, r=8: 32 MiB per hash, ~50-100 ms here; enough to make offline guessing expensive. The parameters are
// stored in each hash, so lowering them (tests do, to create many users fast) never breaks verification.
export const scryptCost = { N: 1 << 15, r: 8, p: 1 };
const maxmem = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  if (password.length < 8) throw new Error('password must have at least 8 characters');
  const salt = randomBytes(16);
  const { N, r, p } = scryptCost;
  const key = await scrypt(password, salt, 32, { N, r, p, maxmem });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem });
  return timingSafeEqual(key, expected);
}

/** A hash to compare against when the user does not exist, so response time does not reveal which emails exist. */
export const dummyHash = () =>
  `scrypt$${scryptCost.N}$${scryptCost.r}$${scryptCost.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

/** The start of a hash made with the current parameters. */
export const currentCostPrefix = () => `scrypt$${scryptCost.N}$${scryptCost.r}$${scryptCost.p}$`;
