// The model path of mapping suggestions: the offline suggester ranks first; the model then re-ranks and explains
// the offline candidates of each target. It cannot invent: a path it names that was not among the candidates sent is
// dropped (and counted in a note). Whatever goes wrong (no answer in time, an answer that is not the schema, an HTTP
// error) the offline suggestions stand, with a note saying why. Nothing personal is in the prompt (mask.ts).
import { z } from 'zod';
import type { SuggestResult, TargetSuggestion } from '../../../nodes/core/assist/index.ts';
import { isPersonalPath, Masker, personalValues } from './mask.ts';
import { callModel, previewRequest, type FetchLike, type ModelCall } from './model.ts';
import type { AiSettings } from './settings.ts';

export const RERANK_SYSTEM = [
  'You help an integration consultant map a Shopify order onto an ERP document.',
  'For each target field you get candidate Shopify source paths, ranked by an offline matcher with its reasons.',
  'Re-rank the candidates of each target, best first, and say in one short sentence why the first fits.',
  'Use only the candidate paths given for that target; never invent a path. Omit a target you cannot judge.',
  'Values shown as <email>, <name>, <address>, <phone> or <personal> were masked for privacy.',
].join(' ');

export const Reranking = z.object({
  targets: z.array(
    z.object({
      target: z.string().min(1),
      ranked: z
        .array(z.object({ path: z.string().min(1), why: z.string().max(400) }))
        .min(1)
        .max(10),
    }),
  ),
});
export type Reranking = z.infer<typeof Reranking>;

export type Engine = 'offline' | 'model';
export type AssistedResult = SuggestResult & { engine: Engine; notes: string[] };

/** The prompt: targets and their candidates, every sample value and reason masked. */
export function rerankPrompt(offline: SuggestResult, sample: unknown): string {
  const masker = new Masker(personalValues(sample));
  const targets = offline.targets.map((t) => ({
    target: t.target,
    kind: t.kind,
    required: t.required,
    description: masker.text(t.description),
    candidates: t.candidates.map((c) => ({
      path: c.path,
      confidence: c.confidence,
      reason: masker.text(c.reason),
      ...(c.sampleValue === undefined
        ? {}
        : {
            sample: isPersonalPath(c.path)
              ? `<${/mail/i.test(c.path) ? 'email' : /phone/i.test(c.path) ? 'phone' : /name/i.test(c.path) ? 'name' : 'personal'}>`
              : masker.value(c.sampleValue),
          }),
    })),
  }));
  return `Source: ${offline.source}. Lists: ${JSON.stringify(offline.lists)}.\nTargets and candidates (JSON):\n${JSON.stringify(targets)}\nAnswer with {"targets":[{"target":...,"ranked":[{"path":...,"why":...}]}]}.`;
}

export function rerankCall(offline: SuggestResult, sample: unknown): ModelCall<Reranking> {
  return { system: RERANK_SYSTEM, prompt: rerankPrompt(offline, sample), schema: Reranking, name: 'mapping_reranking' };
}

/** Applies the model's order to the offline candidates; invented paths are dropped. */
export function applyReranking(offline: SuggestResult, r: Reranking, top: number): { targets: TargetSuggestion[]; dropped: string[] } {
  const byTarget = new Map(r.targets.map((t) => [t.target, t.ranked]));
  const dropped: string[] = [];
  const targets = offline.targets.map((t) => {
    const ranked = byTarget.get(t.target);
    if (!ranked) return { ...t, candidates: t.candidates.slice(0, top) };
    const pool = new Map(t.candidates.map((c) => [c.path, c]));
    const seen = new Set<string>();
    const first = [];
    for (const m of ranked) {
      const c = pool.get(m.path);
      if (!c) {
        dropped.push(`${t.target} ← ${m.path}`);
        continue;
      }
      if (seen.has(m.path)) continue;
      seen.add(m.path);
      first.push({ ...c, reason: `model: ${m.why.trim() || 'ranked first'} — offline: ${c.reason}`, by: 'model' as const });
    }
    const rest = t.candidates.filter((c) => !seen.has(c.path));
    return { ...t, candidates: [...first, ...rest].slice(0, top) };
  });
  return { targets, dropped };
}

export interface RerankOptions {
  top: number;
  key: string | undefined;
  fetch?: FetchLike;
}

export async function rerankWithModel(s: AiSettings, offline: SuggestResult, sample: unknown, opts: RerankOptions): Promise<AssistedResult> {
  const fallback = (note: string): AssistedResult => ({
    ...offline,
    targets: offline.targets.map((t) => ({ ...t, candidates: t.candidates.slice(0, opts.top) })),
    engine: 'offline',
    notes: [note],
  });
  const out = await callModel(s, opts.key, rerankCall(offline, sample), { fetch: opts.fetch });
  if (!out.ok) return fallback(`The language model was not used: ${out.reason}. These are the offline suggestions.`);
  const { targets, dropped } = applyReranking(offline, out.value, opts.top);
  const notes = [`Re-ranked by ${s.model} (${s.provider}) in ${out.ms} ms; confidences are the offline matcher's.`];
  if (dropped.length)
    notes.push(
      `Dropped ${dropped.length} path(s) the model named that were not among the candidates: ${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? '…' : ''}.`,
    );
  return { ...offline, targets, engine: 'model', notes };
}

export function previewRerank(s: AiSettings, offline: SuggestResult, sample: unknown) {
  return previewRequest(s, rerankCall(offline, sample));
}
