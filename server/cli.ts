// `ledgerline validate | run | migrate | serve`. Exit codes: 0 ok, 1 invalid flow or failed run, 2 usage error.
import { parseArgs } from 'node:util';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateFlow, formatProblem } from '../flows/validate.ts';
import { getNodeType } from '../nodes/registry.ts';
import { runFlowOnce } from './run-once.ts';
import { CLI_CONNECTIONS } from './cli-connections.ts';
import { parseSandboxCode } from '../runtime/index.ts';

const USAGE = `usage:
  ledgerline validate FLOW.json [--json]
  ledgerline run FLOW.json --event EVENT.json [--data-dir DIR] [--json]
  ledgerline migrate [--data-dir DIR]
  ledgerline serve [--role all|web|worker|scheduler]   (PORT, LEDGERLINE_DATA_DIR, LEDGERLINE_MASTER_KEY, LEDGERLINE_ROLE)
  ledgerline sandbox-store [--port P] [--scenario FILE] [--plan standard|advanced|plus]
  ledgerline sandbox-erp dump [--data-dir DIR] [--json]
  ledgerline audit [--data-dir DIR] [--connection shopify=ID] [--connection erp=ID] [--format md|html|json] [--days N]
  ledgerline runbook FLOW_ID [--data-dir DIR] [--format md|html]
  ledgerline suggest-mapping --target TARGET.schema.json [--source shopify.order] [--sample EVENT.json] [--json]
  ledgerline user add --email E --role owner|consultant|client|operator|viewer [--data-dir DIR]   (password from stdin)
  ledgerline token create --email E --name N [--expires-in-days D] [--data-dir DIR]
  ledgerline vault rotate [--data-dir DIR]
  ledgerline backup --to DIR [--data-dir DIR]
  ledgerline restore --from DIR [--data-dir DIR] [--force]   (stop the server first)
  ledgerline workspace create ID [--name N] [--data-dir DIR]
  ledgerline workspace list [--data-dir DIR] [--json]
  --workspace ID on run, migrate, audit, runbook, sandbox-erp, backup, restore, vault and user add: that workspace's data
  (default: the data dir itself, the default workspace)
  LEDGERLINE_DATABASE_URL set (as for the server): those commands use the workspace's PostgreSQL schema; backup and
  restore refuse and name the pg_dump / pg_restore to use instead`;

class UsageError extends Error {}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

/** Commands that act on one workspace's data and take `--workspace ID` (server/commands/workspace.ts). */
const PER_WORKSPACE = new Set(['run', 'migrate', 'audit', 'runbook', 'sandbox-erp', 'backup', 'restore', 'vault']);

export async function main(argv: string[]): Promise<number> {
  const [command, ...given] = argv;
  try {
    let rest = given;
    if (command && PER_WORKSPACE.has(command)) {
      const r = await (await import('./commands/workspace.ts')).resolveWorkspaceArg(given, process.env);
      rest = r.args;
      // On PostgreSQL the data dir does not name the store: the commands open this workspace's schema (cli-store.ts).
      if (r.workspace) process.env.LEDGERLINE_WORKSPACE = r.workspace;
    }
    switch (command) {
      case 'workspace':
        return (await import('./commands/workspace.ts')).workspaceCommand(rest);
      case 'validate':
        return validateCommand(rest);
      case 'run':
        return await runCommand(rest);
      case 'migrate':
        return await migrateCommand(rest);
      case 'sandbox-store':
        return await (await import('./commands/sandbox-store.ts')).sandboxStoreCommand(rest);
      case 'sandbox-erp':
        return await (await import('./commands/sandbox-erp.ts')).sandboxErpCommand(rest);
      case 'audit':
        return await (await import('./commands/audit.ts')).auditCommand(rest);
      case 'runbook':
        return await (await import('./commands/runbook.ts')).runbookCommand(rest);
      case 'suggest-mapping':
        return await (await import('./commands/suggest-mapping.ts')).suggestMappingCommand(rest);
      case 'backup':
      case 'restore':
        return await (await import('./commands/backup.ts')).backupCommand(command, rest);
      case 'user':
      case 'token':
      case 'vault':
        return await (await import('./commands/admin.ts')).adminCommand(command, rest);
      case 'serve': {
        const { values, positionals } = parseArgs({ args: rest, options: { role: { type: 'string' } }, allowPositionals: true });
        if (positionals.length) throw new UsageError(`serve takes no arguments (got ${positionals.join(' ')})`);
        const { serve, roleFrom } = await import('./main.ts');
        try {
          await serve({ role: roleFrom(values.role ?? process.env.LEDGERLINE_ROLE) });
        } catch (e) {
          // A data dir or setting it cannot start with: the message says what and where; a stack would not help.
          if ((e as { userFacing?: boolean }).userFacing) {
            err(`ledgerline serve: ${(e as Error).message}`);
            return 1;
          }
          throw e;
        }
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
        out(USAGE);
        return command ? 0 : 2;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as Error).name === 'WorkspaceArgError' || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`ledgerline: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

function validateCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('validate takes exactly one FLOW.json');
  const r = validateFlow(readJson(positionals[0]!, 'flow'), getNodeType, { connections: CLI_CONNECTIONS, codeSyntax: parseSandboxCode });
  if (values.json) out(JSON.stringify({ valid: r.ok, problems: r.problems }, null, 2));
  else if (r.ok) out(`${positionals[0]}: valid`);
  else for (const p of r.problems) out(formatProblem(p));
  return r.ok ? 0 : 1;
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { event: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('run takes exactly one FLOW.json');
  if (!values.event) throw new UsageError('run needs --event EVENT.json');
  const doc = readJson(positionals[0]!, 'flow');
  const event = readJson(values.event, 'event');
  const v = validateFlow(doc, getNodeType, { connections: CLI_CONNECTIONS, codeSyntax: parseSandboxCode });
  if (!v.ok) {
    for (const p of v.problems) err(formatProblem(p));
    return 2;
  }
  const temp = values['data-dir'] ? null : mkdtempSync(join(tmpdir(), 'ledgerline-run-'));
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : temp!;
  try {
    // A data dir given is a deployment's: with LEDGERLINE_DATABASE_URL its store is the workspace's PostgreSQL schema.
    // Without one the run is a throwaway, on SQLite in a temp dir whatever the environment says.
    const store = temp ? undefined : await (await import('./commands/cli-store.ts')).openCliStore(dataDir, process.env);
    const record = await runFlowOnce({ dataDir, flow: v.flow, event, ...(store ? { store } : {}) });
    if (values.json) out(JSON.stringify(record, null, 2));
    else {
      out(
        `run ${record.runId} of ${v.flow.id} version ${record.flowVersion}: ${record.status}${record.skipped ? ` (${record.skipped.code}: ${record.skipped.message})` : ''}`,
      );
      for (const s of record.steps)
        out(`  ${s.nodeId}: ${s.status}${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}${s.error ? ` — ${s.error.message}` : ''}`);
    }
    // A skipped run (e.g. an unpaid order the payment gate holds back) did what the flow says: not a failure.
    return record.status === 'succeeded' || record.status === 'skipped' ? 0 : 1;
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

async function migrateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { 'data-dir': { type: 'string' } }, allowPositionals: true });
  if (positionals.length) throw new UsageError(`migrate takes no arguments (got ${positionals.join(' ')})`);
  const dir = resolve(values['data-dir'] ?? process.env.LEDGERLINE_DATA_DIR ?? './data');
  const { openCliStore, describeStore, cliStoreTarget } = await import('./commands/cli-store.ts');
  await (await openCliStore(dir, process.env)).close();
  out(`migrated ${describeStore(cliStoreTarget(dir, process.env))}`);
  return 0;
}
