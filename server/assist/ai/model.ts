// One structured call to the configured language model through the AI SDK (`ai` with its OpenAI-compatible and
// Anthropic providers): the SDK speaks each provider's published HTTP contract, asks for JSON fitting the zod schema
// and validates the answer; we validate it again with the same schema (the SDK's repair paths are not ours to trust).
// No retries (a failed or slow answer falls back to the offline result at once), a hard timeout, and errors reduced
// to a short sentence that never carries the key.
// The SDK is loaded on first use: the offline assistant (the default) and the rest of the server never need it, and
// a checkout whose node_modules predate it still starts and answers offline, with a note saying what is missing.
import type { z } from 'zod';
import type { AiSettings } from './settings.ts';

type LanguageModel = unknown;
interface Sdk {
  generateText(o: Record<string, unknown>): Promise<{ output: unknown }>;
  Output: { object(o: { schema: unknown; name?: string }): unknown };
  createOpenAICompatible(o: Record<string, unknown>): (model: string) => LanguageModel;
  createAnthropic(o: Record<string, unknown>): (model: string) => LanguageModel;
}

let sdk: Promise<Sdk> | null = null;
function loadSdk(): Promise<Sdk> {
  const load = (name: string) => import(name);
  sdk ??= Promise.all([load('ai'), load('@ai-sdk/openai-compatible'), load('@ai-sdk/anthropic')]).then(([ai, oc, an]) => ({
    generateText: ai.generateText,
    Output: ai.Output,
    createOpenAICompatible: oc.createOpenAICompatible,
    createAnthropic: an.createAnthropic,
  }));
  sdk.catch(() => (sdk = null));
  return sdk;
}

export type FetchLike = typeof fetch;

export interface ModelCall<T> {
  system: string;
  prompt: string;
  schema: z.ZodType<T>;
  /** Names the structured answer for providers that want one (Anthropic's tool, OpenAI's json_schema). */
  name: string;
}

export type ModelOutcome<T> = { ok: true; value: T; ms: number } | { ok: false; reason: string; kind: 'timeout' | 'invalid' | 'error'; ms: number };

export class ModelNotReady extends Error {}

function modelFor({ createAnthropic, createOpenAICompatible }: Sdk, s: AiSettings, key: string | undefined, fetchImpl: FetchLike | undefined): LanguageModel {
  if (!s.provider || !s.model) throw new ModelNotReady(s.problem ?? 'the assistant has no provider or model');
  if (s.provider === 'anthropic') {
    return createAnthropic({ apiKey: key ?? '', ...(s.url ? { baseURL: s.url } : {}), ...(fetchImpl ? { fetch: fetchImpl } : {}) })(s.model);
  }
  if (!s.url) throw new ModelNotReady(s.problem ?? 'an openai-compatible provider needs a URL');
  // Local servers (Ollama, llama.cpp, vLLM) take no key; a hosted one gets it as a bearer token.
  return createOpenAICompatible({
    name: 'ledgerline-ai',
    baseURL: s.url,
    ...(key ? { apiKey: key } : {}),
    supportsStructuredOutputs: true,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  })(s.model);
}

function describe(e: unknown, key: string | undefined): { reason: string; kind: 'timeout' | 'invalid' | 'error' } {
  const err = e as { name?: string; message?: string; statusCode?: number; cause?: unknown };
  const name = String(err?.name ?? '');
  let reason: string;
  let kind: 'timeout' | 'invalid' | 'error' = 'error';
  if (name === 'TimeoutError' || name === 'AbortError' || /aborted|timed? ?out/i.test(String(err?.message))) {
    kind = 'timeout';
    reason = 'the model did not answer in time';
  } else if (
    /NoObjectGenerated|NoOutputGenerated|TypeValidation|JSONParse/.test(name) ||
    /No object generated|could not parse|did not match schema|Type validation/i.test(String(err?.message))
  ) {
    kind = 'invalid';
    reason = "the model's answer was not the expected JSON";
  } else if (typeof err?.statusCode === 'number') {
    reason = `the model endpoint answered HTTP ${err.statusCode}${err.message ? `: ${String(err.message).slice(0, 160)}` : ''}`;
  } else {
    reason = `the model could not be reached: ${String(err?.message ?? e).slice(0, 160)}`;
  }
  // Belt and braces: an endpoint that echoes the key in its error must not put it on our screens or logs.
  if (key && key.length >= 4) reason = reason.split(key).join('[redacted]');
  return { reason, kind };
}

export async function callModel<T>(
  s: AiSettings,
  key: string | undefined,
  call: ModelCall<T>,
  opts: { fetch?: FetchLike; timeoutMs?: number } = {},
): Promise<ModelOutcome<T>> {
  const started = Date.now();
  const ms = () => Date.now() - started;
  let model: LanguageModel;
  let ai: Sdk;
  try {
    ai = await loadSdk();
  } catch (e) {
    return { ok: false, kind: 'error', reason: `the AI SDK is not installed here (npm install): ${(e as Error).message.slice(0, 120)}`, ms: ms() };
  }
  try {
    model = modelFor(ai, s, key, opts.fetch);
  } catch (e) {
    return { ok: false, kind: 'error', reason: (e as Error).message, ms: ms() };
  }
  try {
    const r = await ai.generateText({
      model,
      system: call.system,
      prompt: call.prompt,
      output: ai.Output.object({ schema: call.schema, name: call.name }),
      temperature: 0,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(opts.timeoutMs ?? s.timeoutMs),
    });
    const checked = call.schema.safeParse(r.output);
    if (!checked.success)
      return { ok: false, kind: 'invalid', reason: `the model's answer did not fit: ${checked.error.issues[0]?.message ?? 'invalid'}`, ms: ms() };
    return { ok: true, value: checked.data, ms: ms() };
  } catch (e) {
    return { ok: false, ...describe(e, key), ms: ms() };
  }
}

/**
 * The exact HTTP request the SDK would send for a call, captured at the fetch boundary and never sent: what the
 * settings page shows an owner before turning the feature on.
 */
export async function previewRequest<T>(s: AiSettings, call: ModelCall<T>): Promise<{ url: string; body: unknown } | { error: string }> {
  let captured: { url: string; body: unknown } | null = null;
  const capture: FetchLike = async (input, init) => {
    const raw = typeof init?.body === 'string' ? init.body : '';
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      /* not JSON: shown as text */
    }
    captured = { url: String(input instanceof Request ? input.url : input), body };
    throw new Error('preview only: not sent');
  };
  const r = await callModel(s, 'preview-key-not-sent', call, { fetch: capture, timeoutMs: 5000 });
  if (captured) return captured;
  return { error: r.ok ? 'nothing was sent' : r.reason };
}
