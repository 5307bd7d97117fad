// POST /api/mapping/preview: maps a sample with a core.map config, tracing each target field.
import type { PreviewView } from '../store/mapper-store.ts';
import { request } from './client.ts';

export const mappingApi = {
  preview: (body: { config: unknown; sample?: unknown; flowId?: string }) => request<PreviewView>('POST', '/api/mapping/preview', body),
};
