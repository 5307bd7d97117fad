// On a fresh data dir in sandbox mode: install flows/templates/*.json as flows (id = file name), published and
// active when they validate against the installed node types, as drafts otherwise. A template whose settings say
// `installActive: false` is published but left for someone to activate (one that books what finance may already book).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { FlowInvalidError, type Runtime } from '../runtime/index.ts';

export async function installTemplates(rt: Runtime, dir: string, log: Logger): Promise<{ published: string[]; drafts: string[] }> {
  const out = { published: [] as string[], drafts: [] as string[] };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const id = basename(f, '.json');
    try {
      const doc = { ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>), id };
      try {
        await rt.flows.get(id);
        continue;
      } catch {
        /* not installed yet */
      }
      await rt.flows.create(doc);
      const settings = (doc as { settings?: { installActive?: unknown } }).settings;
      try {
        // Publishing validates (code syntax included): validating first as well made every start do it twice.
        await rt.flows.publish(id, { message: 'installed from flows/templates', by: 'system', activate: settings?.installActive !== false });
        out.published.push(id);
      } catch (e) {
        if (!(e instanceof FlowInvalidError)) throw e;
        out.drafts.push(id);
        log.warn({ flowId: id, problem: e.problems[0] }, 'template installed as a draft: it does not validate yet');
      }
    } catch (e) {
      log.warn({ file: f, err: (e as Error).message }, 'template not installed');
    }
  }
  return out;
}
