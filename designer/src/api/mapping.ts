// POST /api/mapping/preview: maps a sample with a core.map config, tracing each target field. GET .../samples: what a
// node really receives (its input in recent runs, and the trigger's example right after the trigger).
import { request } from './client.ts';
import type { Body, Res } from './contract.ts';

export type MappingPreview = Res<'/api/mapping/preview', 'post'>;
export type NodeSampleDto = Res<'/api/flows/{id}/nodes/{nodeId}/samples', 'get'>['samples'][number];

const enc = encodeURIComponent;

export const mappingApi = {
  preview: (body: Body<'/api/mapping/preview', 'post'>) => request<MappingPreview>('POST', '/api/mapping/preview', body),
  samples: (flowId: string, nodeId: string) =>
    request<Res<'/api/flows/{id}/nodes/{nodeId}/samples', 'get'>>('GET', `/api/flows/${enc(flowId)}/nodes/${enc(nodeId)}/samples`),
};
