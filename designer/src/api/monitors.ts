// GET /api/monitors: every monitor, what it watches, thresholds, state, last check and firing; monitors per flow.
import { request } from './client.ts';

export type MonitorState = 'inactive' | 'failing' | 'firing' | 'ok' | 'not-run';

export interface MonitorInfo {
  flowId: string;
  flowName: string;
  active: boolean;
  version: number | null;
  nodeId: string;
  name: string;
  type: string;
  title: string;
  schedule: { cron: string; timezone: string; every: string; next: string | null } | null;
  watches: string;
  thresholds: Array<{ label: string; value: string }>;
  raises: string[];
  state: MonitorState;
  open: number;
  lastCheck: { runId: string; status: string; at: number; found?: number; newlyRaised?: number; cleared?: number; error?: string } | null;
  lastFired: { at: number; exceptionId: string; type: string; title: string; state: string } | null;
  flows: string[];
}

export interface MonitorsOverview {
  generatedAt: string;
  monitors: MonitorInfo[];
  /** Per flow, the monitors covering it with their state for that flow (firing for another flow is not firing here). */
  flows: Array<{ flowId: string; name: string; active: boolean; monitors: Array<{ key: string; state: MonitorState; open: number }> }>;
}

export const monitorsApi = {
  overview: () => request<MonitorsOverview>('GET', '/api/monitors'),
};

export const monitorKey = (m: Pick<MonitorInfo, 'flowId' | 'nodeId'>) => `${m.flowId}/${m.nodeId}`;
