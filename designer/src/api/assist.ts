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
