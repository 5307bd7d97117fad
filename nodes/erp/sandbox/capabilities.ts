// What the sandbox ERP can do, in its own process or reached over HTTP (one list for both).
import type { ErpCapabilities } from '../contract.ts';

export const SANDBOX_ERP_CAPABILITIES: ErpCapabilities = {
  items: true,
  warehouses: true,
  taxCodes: true,
  customers: true,
  salesOrders: true,
  cancelSalesOrder: true,
  fulfilments: true,
  fulfilmentTracking: true,
  stockPerWarehouse: true,
  creditMemos: true,
  restock: true,
  journals: true,
  ledger: true,
  ship: true,
  draftSalesOrders: true,
};
