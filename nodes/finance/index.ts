// Finance node types: payout reconciliation. Hosts list `financeNodes` in the registry.
import type { NodeType } from '../../runtime/node-api.ts';
import { reconcilePayoutsNode } from './reconcile-payouts.ts';

export const financeNodes: NodeType[] = [reconcilePayoutsNode];

export { reconcilePayoutsNode, reconcileConfig, type ReconcileConfig, type ReconcileOutput } from './reconcile-payouts.ts';
export { RECONCILIATION_EXCEPTION_TYPES } from './exceptions.ts';
export { payoutJournal, type PayoutAccounts } from './journal.ts';
export type * from './types.ts';
