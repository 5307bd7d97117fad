// ERP node types and connector factory. Hosts list `erpNodes` in the registry and resolve `erp` connections
// with `createErpConnection(storedConfig)`.
import type { NodeType } from '../../runtime/node-api.ts';
import { cancelSalesOrderNode } from './nodes/cancel-sales-order.ts';
import { postCreditMemoNode } from './nodes/post-credit-memo.ts';
import { postJournalNode } from './nodes/post-journal.ts';
import { postSalesOrderNode } from './nodes/post-sales-order.ts';
import { readFulfilmentsNode } from './nodes/read-fulfilments.ts';
import { readLedgerNode } from './nodes/read-ledger.ts';
import { readStockNode } from './nodes/read-stock.ts';
import { upsertCustomerNode } from './nodes/upsert-customer.ts';
import { readSalesOrderNode } from './nodes/read-sales-order.ts';
import { balanceSalesOrderNode } from './nodes/balance-sales-order.ts';
import { awaitRefundNode } from './nodes/await-refund.ts';
import { checkOrderEditNode } from './nodes/check-order-edit.ts';
import { paymentGateNode } from './nodes/payment-gate.ts';

export const erpNodes: NodeType[] = [
  upsertCustomerNode,
  postSalesOrderNode,
  cancelSalesOrderNode,
  readStockNode,
  readFulfilmentsNode,
  postCreditMemoNode,
  postJournalNode,
  readLedgerNode,
  readSalesOrderNode,
  balanceSalesOrderNode,
  awaitRefundNode,
  checkOrderEditNode,
  paymentGateNode,
];

export type * from './contract.ts';
export { createErpConnection, erpConnectionConfigSchema, flattenStoredConnection, type ErpConnectionConfig, type StoredErpConnection } from './connection.ts';
export { createSandboxErp, type SandboxErp, type SandboxErpOptions } from './sandbox/index.ts';
export { createTrytonConnector } from './tryton/connector.ts';
export { createNetSuiteConnector } from './netsuite/connector.ts';
export { createBusinessCentralConnector } from './business-central/connector.ts';
