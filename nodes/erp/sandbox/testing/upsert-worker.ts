// A worker process for upsert-race.test.ts: upserts the same customers as its twin, on the same sandbox ERP file,
// starting when the test says go (both processes are up by then).
import { createSandboxErp } from '../index.ts';

const [file, count] = process.argv.slice(2);
const erp = createSandboxErp({ file, seed: false });
process.once('message', async () => {
  let failed = 0;
  const errors: string[] = [];
  for (let i = 0; i < Number(count); i++) {
    try {
      await erp.upsertCustomer({ externalId: `gid://shopify/Customer/${i}`, name: `Customer ${i}`, email: `c${i}@example.com` });
    } catch (e) {
      failed++;
      if (errors.length < 3) errors.push((e as Error).message);
    }
  }
  process.send?.({ failed, errors }, () => process.exit(0));
});
process.send?.('ready');
