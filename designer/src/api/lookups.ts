// The lookup-table API (server/lookups/routes.ts, mounted at /api/lookups).
import { request, requestText } from './client.ts';
import type { RetryBatch } from './replay.ts';

export interface LookupKeyColumn {
  name: string;
  match: string;
  optional: boolean;
}

export interface LookupTable {
  id: number;
  scope: string;
  name: string;
  title: string;
  description: string;
  kind: string;
  version: number;
  rowCount: number;
  keyColumns: LookupKeyColumn[];
  valueColumns: string[];
  updatedAt: number;
}

export interface LookupVersion {
  version: number;
  rowCount: number;
  message: string;
  createdBy: string | null;
  createdAt: number;
}

export type LookupRow = Record<string, string>;

export interface ErpReference {
  code: string;
  name: string;
  detail?: string;
}

/** The ERP records a column of the table names (tax codes, warehouses, payment methods); no column: free values. */
export interface ErpReferences {
  column: string | null;
  list: string | null;
  sources: Array<{ connection: string; name: string; items: ErpReference[] | null }>;
}

const at = (scope: string, name: string) => `/api/lookups/${encodeURIComponent(scope)}/${encodeURIComponent(name)}`;

export const lookupsApi = {
  list: (scope?: string) => request<{ tables: LookupTable[] }>('GET', `/api/lookups${scope ? `?scope=${encodeURIComponent(scope)}` : ''}`),
  get: (scope: string, name: string, version?: number) =>
    request<{ table: LookupTable; version: number; rows: LookupRow[] }>('GET', `${at(scope, name)}${version ? `?version=${version}` : ''}`),
  putRows: (scope: string, name: string, body: { rows: LookupRow[]; expectedVersion?: number; message?: string }) =>
    request<LookupVersion & { retried?: RetryBatch }>('PUT', `${at(scope, name)}/rows`, body),
  erpReferences: (scope: string, name: string) => request<ErpReferences>('GET', `${at(scope, name)}/erp-references`),
  versions: (scope: string, name: string) => request<{ versions: LookupVersion[] }>('GET', `${at(scope, name)}/versions`),
  restore: (scope: string, name: string, version: number, body: { expectedVersion?: number; message?: string }) =>
    request<LookupVersion>('POST', `${at(scope, name)}/versions/${version}/restore`, body),
  exportCsv: (scope: string, name: string, version?: number) => requestText(`${at(scope, name)}/csv${version ? `?version=${version}` : ''}`),
  importCsv: (scope: string, name: string, csv: string, q: { mode: 'replace' | 'merge'; expectedVersion?: number; message?: string }) => {
    const params = new URLSearchParams({ mode: q.mode });
    if (q.expectedVersion) params.set('expectedVersion', String(q.expectedVersion));
    if (q.message) params.set('message', q.message);
    return request<LookupVersion>('PUT', `${at(scope, name)}/csv?${params}`, undefined, { contentType: 'text/csv', text: csv });
  },
};
