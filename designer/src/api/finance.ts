// Month-end payout reconciliation (server/finance/routes.ts, mounted at /api/finance).
import { request, requestText } from './client.ts';

export interface PayoutRow {
  payoutId: string;
  date: string;
  month: string;
  currency: string;
  status: 'balanced' | 'unbalanced' | 'waiting' | 'not-paid';
  shopifyStatus: string;
  net: string;
  charges: string;
  refunds: string;
  fees: string;
  adjustments: string;
  disputes: string;
  reserves: string;
  erpVariance: string;
  shopifyVariance: string;
  matched: number;
  missingInErp: number;
  amountMismatches: number;
  erpOnly: number;
  ledger: { posted: boolean; ties: boolean; entryNumber?: string | null; problems?: string[] } | null;
}

export interface MonthRow {
  month: string;
  currency: string;
  payouts: number;
  balanced: number;
  unbalanced: number;
  waiting: number;
  notPaid: number;
  net: string;
  charges: string;
  refunds: string;
  fees: string;
  adjustments: string;
  disputes: string;
  reserves: string;
  erpVariance: string;
  shopifyVariance: string;
  reconciled: boolean;
}

export interface MonthEndReport {
  generatedAt: string;
  months: MonthRow[];
  payouts: PayoutRow[];
}

export const financeApi = {
  monthEnd: (month: string, opts: { ledger?: boolean } = {}) =>
    request<MonthEndReport>('GET', `/api/finance/month-end?month=${encodeURIComponent(month)}${opts.ledger ? '&ledger=true' : ''}`),
  monthEndCsv: (month: string) => requestText(`/api/finance/month-end?month=${encodeURIComponent(month)}&format=csv`),
  linesCsv: (month: string) => requestText(`/api/finance/payout-lines?month=${encodeURIComponent(month)}&format=csv`),
  trialBalanceCsv: (month: string) => requestText(`/api/finance/trial-balance?month=${encodeURIComponent(month)}&format=csv`),
};
