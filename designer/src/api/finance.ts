// Month-end payout reconciliation (server/finance/routes.ts, mounted at /api/finance).
import { request, requestText } from './client.ts';
import type { Res, Schema } from './contract.ts';

export type MonthEndReport = Res<'/api/finance/month-end', 'get'>;
export type PayoutRow = Schema<'PayoutRow'>;
export type MonthRow = Schema<'MonthRow'>;

export const financeApi = {
  monthEnd: (month: string, opts: { ledger?: boolean } = {}) =>
    request<MonthEndReport>('GET', `/api/finance/month-end?month=${encodeURIComponent(month)}${opts.ledger ? '&ledger=true' : ''}`),
  monthEndCsv: (month: string, opts: { ledger?: boolean } = {}) =>
    requestText(`/api/finance/month-end?month=${encodeURIComponent(month)}&format=csv${opts.ledger ? '&ledger=true' : ''}`),
  linesCsv: (month: string) => requestText(`/api/finance/payout-lines?month=${encodeURIComponent(month)}&format=csv`),
  trialBalanceCsv: (month: string) => requestText(`/api/finance/trial-balance?month=${encodeURIComponent(month)}&format=csv`),
};
