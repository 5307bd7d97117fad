// Live: a real trytond from Debian packages, provisioned by scripts/tryton (one server for this file).
import { afterAll, beforeAll } from 'vitest';
import { startTryton, type StartedTryton } from '../../../scripts/tryton/start.ts';
import { erpContractSuite } from '../contract-suite.ts';
import type { ErpConnector } from '../contract.ts';
import { createTrytonConnector } from './connector.ts';

let tryton: StartedTryton;
let erp: ErpConnector;

beforeAll(async () => {
  tryton = await startTryton();
  erp = createTrytonConnector({ url: tryton.url, database: tryton.database, user: tryton.user, password: tryton.password });
});
afterAll(async () => {
  await erp?.close();
  await tryton?.stop();
});

erpContractSuite('tryton (live)', () => erp);
