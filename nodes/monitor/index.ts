// Monitor node types: scheduled checks that raise exceptions beyond a threshold and auto-resolve them when the
// condition clears. Each goes after a `trigger.schedule` in a flow; they need the host's `exceptions` service
// (and `monitoring` for the run and webhook monitors).
import type { NodeType } from '../../runtime/node-api.ts';
import { inventoryDriftMonitor } from './inventory-drift.ts';
import { orphanedOrdersMonitor } from './orphaned-orders.ts';
import { paymentMismatchMonitor } from './payment-mismatch.ts';
import { rateLimitMonitor } from './rate-limit.ts';
import { runsMonitor } from './runs.ts';
import { webhookSilenceMonitor } from './webhook-silence.ts';

export const monitorNodes: NodeType[] = [
  inventoryDriftMonitor,
  orphanedOrdersMonitor,
  paymentMismatchMonitor,
  runsMonitor,
  webhookSilenceMonitor,
  rateLimitMonitor,
];

export type { MonitorResult } from './shared.ts';
export { tradingSince, tradingHoursSchema, type TradingHours } from './hours.ts';
export { paymentProblem } from './payment-mismatch.ts';
