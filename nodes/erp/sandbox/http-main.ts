// Serves a sandbox ERP over HTTP in its own process, as a real ERP would run beside Ledgerline.
// Usage: node --import tsx nodes/erp/sandbox/http-main.ts --file sandbox-erp.sqlite [--port 0] [--currency GBP]
// Prints one JSON line `{"url":"http://127.0.0.1:PORT"}` once it listens; stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { createSandboxErp } from './index.ts';
import { serveSandboxErp } from './http-server.ts';

const { values } = parseArgs({ options: { file: { type: 'string' }, port: { type: 'string', default: '0' }, currency: { type: 'string' } } });
const erp = createSandboxErp({ ...(values.file ? { file: values.file } : {}), ...(values.currency ? { currency: values.currency } : {}) });
const served = await serveSandboxErp(erp, { port: Number(values.port) });
process.stdout.write(`${JSON.stringify({ url: served.url })}\n`);
const stop = async () => {
  await served.close();
  await erp.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
