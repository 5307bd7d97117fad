// The dashboard's figures (server/dashboard/routes.ts, mounted at /api/dashboard): flow health and exceptions per
// owner over a window, and the orders, stock drift and payout series the charts draw.
import { request } from './client.ts';
import type { Res, Schema } from './contract.ts';

export type DashboardSummary = Res<'/api/dashboard/summary', 'get'>;
export type FlowHealth = Schema<'FlowHealth'>;
export type OrdersPoint = Res<'/api/dashboard/series/orders', 'get'>['points'][number];
export type DriftPoint = Res<'/api/dashboard/series/drift', 'get'>['points'][number];
export type PayoutPoint = Res<'/api/dashboard/series/payouts', 'get'>['points'][number];

export const dashboardApi = {
  summary: (windowHours: number) => request<DashboardSummary>('GET', `/api/dashboard/summary?windowHours=${windowHours}`),
  orders: (hours: number) => request<Res<'/api/dashboard/series/orders', 'get'>>('GET', `/api/dashboard/series/orders?hours=${hours}`),
  drift: (days: number) => request<Res<'/api/dashboard/series/drift', 'get'>>('GET', `/api/dashboard/series/drift?days=${days}`),
  payouts: (months: number) => request<Res<'/api/dashboard/series/payouts', 'get'>>('GET', `/api/dashboard/series/payouts?months=${months}`),
};
