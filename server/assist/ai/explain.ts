// The model path of triage: when a language model is on, it may rewrite the explanation of an exception for the
// owning team. The offline rules still decide the category, the evidence, the next step and the action; the model
// only gets the facts the rules used (masked as the mapping path masks them: every personal value of the exception's
// data, and anything that looks like an e-mail or a phone number) and returns one text. A malformed, slow or failing
// answer leaves the offline explanation standing, with a note saying why.
import { z } from 'zod';
import type { ExceptionRecord } from '../../exceptions/store/service.ts';
import type { Triage } from '../triage.ts';
import { Masker, personalValues } from './mask.ts';
import { callModel, previewRequest, type FetchLike, type ModelCall } from './model.ts';
import type { AiSettings } from './settings.ts';

export const EXPLAIN_SYSTEM = [
  'You explain an integration exception (Shopify to ERP) to the team that owns it, who are not developers.',
  'You get the exception, the cause category and the evidence an offline rule used, its explanation and the next step.',
  'Rewrite the explanation in plain language, two to four sentences: what happened, why it matters, whether anything was lost.',
  'Use only the facts given; do not name another cause, do not change the next step, do not invent numbers, names or systems.',
  'Values shown as <email>, <name>, <address>, <phone> or <personal> were masked for privacy: keep them as they are.',
].join(' ');

export const Explanation = z.object({ explanation: z.string().trim().min(20).max(1200) });
export type Explanation = z.infer<typeof Explanation>;

/**
 * What the model is told, every text masked; the exception's raw data itself is not sent. `people` are the records
 * personal values are read from besides the exception's data: the order of the failed run, as the mapping path reads
 * its sample (an ERP's error message may quote the customer).
 */
export function explainPrompt(e: ExceptionRecord, t: Triage, people: unknown[] = []): string {
  const m = new Masker(personalValues([e.data, ...people]));
  const facts = {
    type: e.type,
    title: m.text(e.title),
    ...(e.detail ? { detail: m.text(e.detail) } : {}),
    occurrences: e.count,
    category: t.categoryLabel,
    evidence: t.evidence.map((x) => m.text(x)),
    explanation: m.text(t.explanation),
    nextStep: m.text(t.nextStep),
  };
  return `Exception triage (JSON):\n${JSON.stringify(facts)}\nAnswer with {"explanation":"..."}.`;
}

export function explainCall(e: ExceptionRecord, t: Triage, people: unknown[] = []): ModelCall<Explanation> {
  return { system: EXPLAIN_SYSTEM, prompt: explainPrompt(e, t, people), schema: Explanation, name: 'triage_explanation' };
}

export type ExplainedTriage = Triage & { notes: string[]; ruleExplanation?: string };

export async function explainWithModel(
  s: AiSettings,
  e: ExceptionRecord,
  t: Triage,
  opts: { key: string | undefined; people?: unknown[]; fetch?: FetchLike },
): Promise<ExplainedTriage> {
  const out = await callModel(s, opts.key, explainCall(e, t, opts.people), { fetch: opts.fetch });
  if (!out.ok) return { ...t, source: 'rule', notes: [`The language model was not used: ${out.reason}. This is the offline explanation.`] };
  return {
    ...t,
    explanation: out.value.explanation,
    ruleExplanation: t.explanation,
    source: 'model',
    notes: [`Explanation written by ${s.model} (${s.provider}) in ${out.ms} ms; the category and next step are the offline rules'.`],
  };
}

export function previewExplain(s: AiSettings, e: ExceptionRecord, t: Triage, people: unknown[] = []) {
  return previewRequest(s, explainCall(e, t, people));
}
