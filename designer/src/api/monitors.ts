// GET /api/monitors: every monitor, what it watches, thresholds, state, last check and firing; monitors per flow.
import { request } from './client.ts';
import type { Res, Schema } from './contract.ts';

export type MonitorsOverview = Res<'/api/monitors', 'get'>;
export type MonitorInfo = Schema<'Monitor'>;
export type MonitorState = MonitorInfo['state'];

export const monitorsApi = {
  overview: () => request<MonitorsOverview>('GET', '/api/monitors'),
};

export const monitorKey = (m: Pick<MonitorInfo, 'flowId' | 'nodeId'>) => `${m.flowId}/${m.nodeId}`;
