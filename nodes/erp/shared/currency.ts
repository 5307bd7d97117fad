// Amounts Ledgerline computes itself (payout journals, gift-card journals, payout settlements) are in the shop's
// (payout) currency. An ERP company keeping its books in another currency would take them as its own currency:
// wrong by the exchange rate, silently. Such a posting is refused instead, naming both currencies. (Sales orders,
// invoices and credit memos carry their currency, and the ERP converts them at its own rates.)
import type { ErpKind } from '../contract.ts';
import { erpError } from './errors.ts';

export function checkCurrency(kind: ErpKind, companyCurrency: string, currency: string | undefined, what: string): void {
  if (!currency || currency === companyCurrency) return;
  throw erpError(
    kind,
    `${what} is in ${currency} but the ERP company keeps its books in ${companyCurrency}: nothing was posted (Shopify gives no ${companyCurrency} amounts for it; ` +
      `post it to a company in ${currency}, or book it by hand at your rate)`,
    {
      errorClass: 'permanent',
      code: 'CURRENCY_MISMATCH',
      details: { field: 'currency', currency, companyCurrency },
    },
  );
}
