// POST /api/mapping/preview: maps a sample with a core.map config, tracing each target field. GET .../samples: what a
// node really receives (its input in recent runs, and the trigger's example right after the trigger).
import type { PreviewView } from '../store/mapper-store.ts';
import { request } from './client.ts';

export interface NodeSampleDto {
  /** `sample` or a run id. */
  id: string;
  kind: 'sample' | 'test' | 'run' | (string & {});
  label: string;
  value: unknown;
  trigger: unknown;
  status?: string;
  at?: number;
  pinned?: boolean;
}

const enc = encodeURIComponent;

export const mappingApi = {
  preview: (body: { config: unknown; sample?: unknown; trigger?: unknown; flowId?: string }) => request<PreviewView>('POST', '/api/mapping/preview', body),
  samples: (flowId: string, nodeId: string) => request<{ samples: NodeSampleDto[] }>('GET', `/api/flows/${enc(flowId)}/nodes/${enc(nodeId)}/samples`),
};
