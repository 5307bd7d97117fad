// The lookup-table API (server/lookups/routes.ts, mounted at /api/lookups).
import { request, requestText } from './client.ts';
import type { Body, Query, Res, Schema } from './contract.ts';

export type LookupTable = Schema<'LookupTable'>;
export type LookupKeyColumn = LookupTable['keyColumns'][number];
export type LookupVersion = Schema<'LookupVersion'>;
export type LookupRow = Res<'/api/lookups/{scope}/{name}', 'get'>['rows'][number];
/** The ERP records a column of the table names (tax codes, warehouses, payment methods); no column: free values. */
export type ErpReferences = Res<'/api/lookups/{scope}/{name}/erp-references', 'get'>;
export type ErpReference = NonNullable<ErpReferences['sources'][number]['items']>[number];

const at = (scope: string, name: string) => `/api/lookups/${encodeURIComponent(scope)}/${encodeURIComponent(name)}`;

export const lookupsApi = {
  list: (scope?: string) => request<Res<'/api/lookups', 'get'>>('GET', `/api/lookups${scope ? `?scope=${encodeURIComponent(scope)}` : ''}`),
  get: (scope: string, name: string, version?: number) =>
    request<Res<'/api/lookups/{scope}/{name}', 'get'>>('GET', `${at(scope, name)}${version ? `?version=${version}` : ''}`),
  putRows: (scope: string, name: string, body: Body<'/api/lookups/{scope}/{name}/rows', 'put'>) =>
    request<Res<'/api/lookups/{scope}/{name}/rows', 'put'>>('PUT', `${at(scope, name)}/rows`, body),
  /** `q`: a search (an item column is searched in the ERP itself: its catalogue is never listed whole). */
  erpReferences: (scope: string, name: string, q?: string) =>
    request<ErpReferences>('GET', `${at(scope, name)}/erp-references${q ? `?q=${encodeURIComponent(q)}` : ''}`),
  versions: (scope: string, name: string) => request<Res<'/api/lookups/{scope}/{name}/versions', 'get'>>('GET', `${at(scope, name)}/versions`),
  restore: (scope: string, name: string, version: number, body: Body<'/api/lookups/{scope}/{name}/versions/{version}/restore', 'post'>) =>
    request<Res<'/api/lookups/{scope}/{name}/versions/{version}/restore', 'post'>>('POST', `${at(scope, name)}/versions/${version}/restore`, body),
  exportCsv: (scope: string, name: string, version?: number) => requestText(`${at(scope, name)}/csv${version ? `?version=${version}` : ''}`),
  importCsv: (scope: string, name: string, csv: string, q: Query<'/api/lookups/{scope}/{name}/csv', 'put'>) => {
    const params = new URLSearchParams();
    if (q.mode) params.set('mode', q.mode);
    if (q.expectedVersion) params.set('expectedVersion', String(q.expectedVersion));
    if (q.message) params.set('message', q.message);
    return request<Res<'/api/lookups/{scope}/{name}/csv', 'put'>>('PUT', `${at(scope, name)}/csv?${params}`, undefined, { contentType: 'text/csv', text: csv });
  },
};
