// Finance node types: payout reconciliation. Hosts list `financeNodes` in the registry.
import type { NodeType } from '../../runtime/node-api.ts';
import { reconcilePayoutsNode } from './reconcile-payouts.ts';
import { settleReceivablesNode } from './settle-receivables.ts';
import { giftCardJournalNode } from './gift-cards.ts';
import { giftCardRefundJournalNode } from './gift-card-refunds.ts';
import { manualPaymentReceiptNode } from './manual-payments.ts';

export const financeNodes: NodeType[] = [reconcilePayoutsNode, settleReceivablesNode, giftCardJournalNode, giftCardRefundJournalNode, manualPaymentReceiptNode];

export { reconcilePayoutsNode, reconcileConfig, type ReconcileConfig, type ReconcileOutput } from './reconcile-payouts.ts';
export { RECONCILIATION_EXCEPTION_TYPES } from './exceptions.ts';
export { DISPUTE_EXCEPTION_TYPES, settlementItems } from './settle.ts';
export { settleReceivablesNode } from './settle-receivables.ts';
export { giftCardJournalNode, giftCardsSold } from './gift-cards.ts';
export { giftCardRefundJournalNode } from './gift-card-refunds.ts';
export { manualPaymentReceiptNode, MANUAL_GATEWAYS } from './manual-payments.ts';
export { payoutJournal, type PayoutAccounts } from './journal.ts';
export type * from './types.ts';
