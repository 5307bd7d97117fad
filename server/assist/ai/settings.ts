// The assistant's language-model settings: provider, URL and model come from the environment
// (LEDGERLINE_AI_PROVIDER, LEDGERLINE_AI_URL, LEDGERLINE_AI_MODEL) or the settings page, which wins; the API key only
// ever lives in the vault (SecretStore, encrypted at rest, scrubbed from every output). The feature stays off until
// an owner turns it on, whatever the environment says: data leaves the machine only by an owner's decision.
import { z } from 'zod';
import type { SecretStore } from '../../vault/secrets.ts';

export const PROVIDERS = ['openai-compatible', 'anthropic'] as const;
export type AiProvider = (typeof PROVIDERS)[number];

const SETTINGS_SECRET = 'assist.ai.settings';
export const KEY_SECRET = 'assist.ai.apiKey';
export const DEFAULT_TIMEOUT_MS = 15_000;

/** What the settings page stores (the key apart). */
export const StoredSettings = z.object({
  enabled: z.boolean().default(false),
  provider: z.enum(PROVIDERS).nullable().default(null),
  url: z.string().nullable().default(null),
  model: z.string().nullable().default(null),
  enabledBy: z.string().nullable().default(null),
});
export type StoredSettings = z.infer<typeof StoredSettings>;

export interface AiSettings {
  enabled: boolean;
  provider: AiProvider | null;
  url: string | null;
  model: string | null;
  keySet: boolean;
  timeoutMs: number;
  /** Where each value came from, for the settings page. */
  from: { provider: 'settings' | 'env' | null; url: 'settings' | 'env' | null; model: 'settings' | 'env' | null };
  enabledBy: string | null;
  /** Why the model path cannot run although enabled (missing model, bad URL...), or null. */
  problem: string | null;
}

export class AiSettingsError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export function checkUrl(url: string, path = '$.url'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AiSettingsError(path, `"${url}" is not a URL (expected e.g. http://127.0.0.1:11434/v1 or https://api.anthropic.com/v1)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AiSettingsError(path, `the URL must be http or https, not ${u.protocol}`);
  if (u.username || u.password) throw new AiSettingsError(path, 'put no credentials in the URL: the API key goes in the key field (kept in the vault)');
  return url.replace(/\/+$/, '');
}

function envProvider(env: NodeJS.ProcessEnv): AiProvider | null {
  const v = env.LEDGERLINE_AI_PROVIDER?.trim();
  if (!v) return null;
  if (!(PROVIDERS as readonly string[]).includes(v))
    throw new AiSettingsError('LEDGERLINE_AI_PROVIDER', `LEDGERLINE_AI_PROVIDER must be one of ${PROVIDERS.join(', ')}, not "${v}"`);
  return v as AiProvider;
}

export function timeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.LEDGERLINE_AI_TIMEOUT_MS?.trim();
  if (!raw) return DEFAULT_TIMEOUT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 100 || n > 300_000)
    throw new AiSettingsError(
      'LEDGERLINE_AI_TIMEOUT_MS',
      `LEDGERLINE_AI_TIMEOUT_MS must be a whole number of milliseconds between 100 and 300000, not "${raw}"`,
    );
  return n;
}

/** The stored settings, the environment and the vault's key, resolved into what the model path uses. */
export class AiSettingsStore {
  constructor(
    private secrets: SecretStore,
    private env: NodeJS.ProcessEnv = process.env,
  ) {
    // A bad environment value is a start-up error, not a silent fallback.
    envProvider(env);
    timeoutFromEnv(env);
  }

  private async stored(): Promise<StoredSettings> {
    const raw = await this.secrets.get(SETTINGS_SECRET);
    if (!raw) return StoredSettings.parse({});
    const parsed = StoredSettings.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : StoredSettings.parse({});
  }

  async get(): Promise<AiSettings> {
    const s = await this.stored();
    const ep = envProvider(this.env);
    const eu = this.env.LEDGERLINE_AI_URL?.trim() || null;
    const em = this.env.LEDGERLINE_AI_MODEL?.trim() || null;
    const pick = <T>(a: T | null, b: T | null) =>
      a !== null ? { v: a, from: 'settings' as const } : b !== null ? { v: b, from: 'env' as const } : { v: null, from: null };
    const provider = pick(s.provider, ep);
    const url = pick(s.url, eu);
    const model = pick(s.model, em);
    const keySet = !!(await this.secrets.get(KEY_SECRET));
    let problem: string | null = null;
    if (!provider.v) problem = 'no provider is set (LEDGERLINE_AI_PROVIDER or the settings page)';
    else if (!model.v) problem = 'no model is set (LEDGERLINE_AI_MODEL or the settings page)';
    else if (!url.v && provider.v === 'openai-compatible') problem = 'an openai-compatible provider needs its URL (LEDGERLINE_AI_URL or the settings page)';
    else if (url.v) {
      try {
        checkUrl(url.v);
      } catch (e) {
        problem = (e as Error).message;
      }
    }
    return {
      enabled: s.enabled,
      provider: provider.v,
      url: url.v,
      model: model.v,
      keySet,
      timeoutMs: timeoutFromEnv(this.env),
      from: { provider: provider.from, url: url.from, model: model.from },
      enabledBy: s.enabledBy,
      problem,
    };
  }

  /** The key, for the outgoing request only. */
  key(): Promise<string | undefined> {
    return this.secrets.get(KEY_SECRET);
  }

  /**
   * Applies a change. `apiKey`: a string replaces the key, null removes it, undefined leaves it. Turning the feature
   * on is the caller's decision to check (owners only).
   */
  async update(
    patch: { enabled?: boolean; provider?: AiProvider | null; url?: string | null; model?: string | null; apiKey?: string | null },
    actor: string,
  ): Promise<AiSettings> {
    const s = await this.stored();
    const next: StoredSettings = { ...s };
    if (patch.provider !== undefined) next.provider = patch.provider;
    if (patch.url !== undefined) next.url = patch.url === null || patch.url.trim() === '' ? null : checkUrl(patch.url.trim());
    if (patch.model !== undefined) next.model = patch.model === null || patch.model.trim() === '' ? null : patch.model.trim();
    if (patch.enabled !== undefined) {
      next.enabled = patch.enabled;
      next.enabledBy = patch.enabled ? actor : null;
    }
    if (patch.apiKey === null) await this.secrets.delete(KEY_SECRET);
    else if (typeof patch.apiKey === 'string' && patch.apiKey.trim()) await this.secrets.set(KEY_SECRET, patch.apiKey.trim());
    await this.secrets.set(SETTINGS_SECRET, JSON.stringify(next));
    return this.get();
  }
}
