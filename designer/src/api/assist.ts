// /api/assist: mapping suggestions for the mapper's Suggest button (offline, on the server).
import type { FieldInput } from '../mapper/model/fields.ts';
import { request } from './client.ts';

export interface SuggestCandidate {
  path: string;
  confidence: number;
  reason: string;
  transforms: Array<Record<string, unknown>>;
  sampleValue?: unknown;
}

export interface SuggestTarget {
  target: string;
  kind: string;
  required: boolean;
  description: string;
  candidates: SuggestCandidate[];
}

export interface SuggestResult {
  source: string;
  sourceRoot: string;
  lists: Record<string, string | null>;
  targets: SuggestTarget[];
  /** offline, or model when the configured language model re-ranked the offline candidates. */
  engine: 'offline' | 'model';
  /** Why the model was not used (the offline suggestions stand), or how it was. */
  notes: string[];
}

export interface AcceptedSuggestion {
  target: string;
  path: string;
  transforms?: Array<Record<string, unknown>>;
  required?: boolean;
}

export const assistApi = {
  suggest: (body: { targetNodeType?: string; target?: unknown; sample?: unknown }) => request<SuggestResult>('POST', '/api/assist/suggest-mapping', body),
  mapFields: (body: { accepted: AcceptedSuggestion[]; sourceRoot: string }) =>
    request<{ fields: FieldInput[]; skipped: Array<{ target: string; reason: string }> }>('POST', '/api/assist/map-fields', body),
};

// ---- the assistant's language model (Settings → Assistant) --------------------------------------------------------

export type AiProvider = 'openai-compatible' | 'anthropic';

export interface AssistantSettings {
  enabled: boolean;
  provider: AiProvider | null;
  url: string | null;
  model: string | null;
  keySet: boolean;
  timeoutMs: number;
  from: Record<string, 'settings' | 'env' | null>;
  enabledBy: string | null;
  problem: string | null;
  notes?: string[];
}

export interface AssistantSettingsPatch {
  enabled?: boolean;
  provider?: AiProvider | null;
  url?: string | null;
  model?: string | null;
  /** Write-only: a new key, or null to remove it. */
  apiKey?: string | null;
}

// ---- triage and lookup proposals (the exceptions inbox, the lookup editor) -----------------------------------------

export interface TriageAction {
  kind: string;
  label: string;
  params: Record<string, string>;
}

export interface Triage {
  category: string;
  categoryLabel: string;
  evidence: string[];
  explanation: string;
  nextStep: string;
  action: TriageAction | null;
  /** rule, or model when the language model wrote the explanation (the single-exception triage only). */
  source: string;
  /** The offline rule's explanation, when the model wrote `explanation`. */
  ruleExplanation?: string;
  /** Why the model was not used, or which model wrote it (the single-exception triage only). */
  notes?: string[];
}

export interface ProposedRow {
  row: Record<string, string>;
  proposal: { value: string; label: string; confidence: number; reason: string };
}

export interface LookupProposals {
  table: string;
  scope: string;
  valueColumn: string;
  from: string;
  missing: Array<{ key: Record<string, unknown>; rows: ProposedRow[] }>;
  note?: string;
}

export interface AcceptResult {
  table: string;
  scope: string;
  version: { version: number };
  retried: { replayed: Array<{ runId: string; newRunId: string }>; skipped: Array<{ runId: string; reason: string }> } | null;
  retryNote: string | null;
}

/** What a schedule change did (POST /api/flows/{id}/schedule); `from` is the cron an undo sends back. */
export interface ScheduleChange {
  flowId: string;
  name: string;
  nodeId: string;
  version: number;
  from: string;
  to: string;
  fromEvery: string;
  toEvery: string;
  message: string;
}
export interface PauseResult {
  flow: { id: string; active: boolean; activeVersion: number | null };
  message: string;
}

const enc = encodeURIComponent;

/** The flow controls triage's buttons use (server/routes/flow-controls.ts). */
export const flowControlsApi = {
  pause: (flowId: string, exceptionId?: string) => request<PauseResult>('POST', `/api/flows/${enc(flowId)}/pause`, { exceptionId }),
  resume: (flowId: string, exceptionId?: string) => request<PauseResult>('POST', `/api/flows/${enc(flowId)}/resume`, { exceptionId }),
  schedule: (flowId: string, body: { cron: string; expectedVersion?: number; exceptionId?: string }) =>
    request<ScheduleChange>('POST', `/api/flows/${enc(flowId)}/schedule`, body),
};

export const assistantApi = {
  settings: () => request<AssistantSettings>('GET', '/api/assist/settings'),
  saveSettings: (patch: AssistantSettingsPatch) => request<AssistantSettings>('PUT', '/api/assist/settings', patch),
  test: () => request<{ ok: boolean; ms: number; message: string }>('POST', '/api/assist/settings/test'),
  preview: (kind: 'mapping' | 'triage' = 'mapping') =>
    request<{ url?: string; body?: unknown; error?: string }>('POST', '/api/assist/settings/preview', kind === 'mapping' ? {} : { kind }),
  triage: (ids: string[]) => request<{ triage: Record<string, Triage> }>('GET', `/api/assist/triage?ids=${enc(ids.join(','))}`),
  exception: (id: string) => request<{ triage: Triage; lookups: LookupProposals | { note: string } | null }>('GET', `/api/assist/exceptions/${enc(id)}`),
  accept: (id: string, rows: Array<Record<string, string>>) => request<AcceptResult>('POST', `/api/assist/exceptions/${enc(id)}/accept`, { rows }),
  tableProposals: (scope: string, name: string) =>
    request<{ table: string; scope: string; proposals: Array<{ exceptionId: string; title: string; lookups: LookupProposals | { note: string } | null }> }>(
      'GET',
      `/api/assist/lookups/${enc(name)}/proposals?scope=${enc(scope)}`,
    ),
};
