// /api/assist: mapping suggestions for the mapper's Suggest button (offline, on the server).
import type { FieldInput } from '../mapper/model/fields.ts';
import { request } from './client.ts';
import type { Body, Res, Schema } from './contract.ts';

export type SuggestResult = Res<'/api/assist/suggest-mapping', 'post'>;
export type SuggestTarget = SuggestResult['targets'][number];
export type SuggestCandidate = SuggestTarget['candidates'][number];
export type AcceptedSuggestion = Body<'/api/assist/map-fields', 'post'>['accepted'][number];

/**
 * The API types the built fields loosely (the core.map config schema is the node's, not the API document's): the
 * designer reads them as the mapper's `FieldInput`, the config type config-types.test.ts keeps in step with the node.
 */
export type MapFieldsResult = Omit<Res<'/api/assist/map-fields', 'post'>, 'fields'> & { fields: FieldInput[] };

export const assistApi = {
  suggest: (body: Body<'/api/assist/suggest-mapping', 'post'>) => request<SuggestResult>('POST', '/api/assist/suggest-mapping', body),
  mapFields: (body: Body<'/api/assist/map-fields', 'post'>) => request<MapFieldsResult>('POST', '/api/assist/map-fields', body),
};

// ---- the assistant's language model (Settings → Assistant) --------------------------------------------------------

export type AssistantSettings = Schema<'AssistantSettings'>;
export type AiProvider = NonNullable<AssistantSettings['provider']>;
export type AssistantSettingsPatch = Schema<'AssistantSettingsPatch'>;
export type AssistantPreview = Res<'/api/assist/settings/preview', 'post'>;

// ---- triage and lookup proposals (the exceptions inbox, the lookup editor) -----------------------------------------

export type Triage = Schema<'Triage'>;
/** The single-exception triage: with the model's notes, and the rules' own text when the model wrote the explanation. */
export type ExplainedTriage = Schema<'ExplainedTriage'>;
export type TriageAction = NonNullable<Triage['action']>;
export type LookupProposals = Schema<'LookupProposals'>;
export type ProposedRow = LookupProposals['missing'][number]['rows'][number];
/** Proposals, or why there are none, or null when the exception is not about a missing row. */
export type ProposalsOrNote = Res<'/api/assist/exceptions/{id}', 'get'>['lookups'];
/** An open exception waiting on a lookup table, with its proposals (the lookup editor). */
export type TableProposal = Res<'/api/assist/lookups/{name}/proposals', 'get'>['proposals'][number];
export type AcceptResult = Res<'/api/assist/exceptions/{id}/accept', 'post'>;

/** What a schedule change did (POST /api/flows/{id}/schedule); `from` is the cron an undo sends back. */
export type ScheduleChange = Res<'/api/flows/{id}/schedule', 'post'>;
export type PauseResult = Res<'/api/flows/{id}/pause', 'post'>;

const enc = encodeURIComponent;

/** The flow controls triage's buttons use (server/routes/flow-controls.ts). */
export const flowControlsApi = {
  pause: (flowId: string, exceptionId?: string) => request<PauseResult>('POST', `/api/flows/${enc(flowId)}/pause`, { exceptionId }),
  resume: (flowId: string, exceptionId?: string) => request<Res<'/api/flows/{id}/resume', 'post'>>('POST', `/api/flows/${enc(flowId)}/resume`, { exceptionId }),
  schedule: (flowId: string, body: Body<'/api/flows/{id}/schedule', 'post'>) => request<ScheduleChange>('POST', `/api/flows/${enc(flowId)}/schedule`, body),
};

export const assistantApi = {
  settings: () => request<Res<'/api/assist/settings', 'get'>>('GET', '/api/assist/settings'),
  saveSettings: (patch: AssistantSettingsPatch) => request<Res<'/api/assist/settings', 'put'>>('PUT', '/api/assist/settings', patch),
  test: () => request<Res<'/api/assist/settings/test', 'post'>>('POST', '/api/assist/settings/test'),
  preview: (kind: 'mapping' | 'triage' = 'mapping') => request<AssistantPreview>('POST', '/api/assist/settings/preview', kind === 'mapping' ? {} : { kind }),
  triage: (ids: string[]) => request<Res<'/api/assist/triage', 'get'>>('GET', `/api/assist/triage?ids=${enc(ids.join(','))}`),
  exception: (id: string) => request<Res<'/api/assist/exceptions/{id}', 'get'>>('GET', `/api/assist/exceptions/${enc(id)}`),
  accept: (id: string, rows: Body<'/api/assist/exceptions/{id}/accept', 'post'>['rows']) =>
    request<AcceptResult>('POST', `/api/assist/exceptions/${enc(id)}/accept`, { rows }),
  tableProposals: (scope: string, name: string) =>
    request<Res<'/api/assist/lookups/{name}/proposals', 'get'>>('GET', `/api/assist/lookups/${enc(name)}/proposals?scope=${enc(scope)}`),
};
