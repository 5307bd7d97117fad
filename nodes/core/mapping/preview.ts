// Maps a sample event for the designer's mapper: the result plus, per target field, where the value came from
// and what went wrong. Never throws for bad config or data: it reports them.
import type { Sandbox, LookupSource } from '../../../runtime/node-api.ts';
import { mapConfigSchema } from './config.ts';
import { compileMap } from './compile.ts';
import { runMap, type FieldProblem, type FieldTrace } from './engine.ts';

export interface PreviewDeps {
  sandbox?: Sandbox;
  lookups?: LookupSource;
  /** Lets flow-scoped lookup tables win over shared ones, as in a run. */
  flowId?: string;
  /** The event that started the run, for `$trigger.` paths; defaults to the sample. */
  trigger?: unknown;
  nodeId?: string;
}

export interface PreviewResult {
  ok: boolean;
  output: Record<string, unknown> | null;
  fields: FieldTrace[];
  problems: FieldProblem[];
  /** Problems in the configuration itself (by JSON path), when it does not validate. */
  configProblems: Array<{ path: string; message: string }>;
  lookupsUsed: Array<{ table: string; version: number }>;
  durationMs: number;
}

export async function previewMap(config: unknown, sample: unknown, deps: PreviewDeps = {}): Promise<PreviewResult> {
  const t0 = performance.now();
  const parsed = mapConfigSchema.safeParse(config);
  if (!parsed.success) {
    const configProblems = parsed.error.issues.map((i) => ({
      path: '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''),
      message: i.message,
    }));
    return { ok: false, output: null, fields: [], problems: [], configProblems, lookupsUsed: [], durationMs: performance.now() - t0 };
  }
  const r = await runMap(
    compileMap(parsed.data),
    sample,
    {
      nodeId: deps.nodeId ?? 'preview',
      flowId: deps.flowId,
      sandbox: deps.sandbox,
      lookups: deps.lookups,
      trigger: deps.trigger ?? sample,
    },
    { trace: true },
  );
  return {
    ok: r.problems.length === 0,
    output: r.output,
    fields: r.traces ?? [],
    problems: r.problems,
    configProblems: [],
    lookupsUsed: r.lookupsUsed.map(({ table, version }) => ({ table, version })),
    durationMs: performance.now() - t0,
  };
}
