// /api/templates: the flow templates (flows/templates/*.json) a consultant can start a new flow from, each with its
// description, trigger and steps, and the document itself (the designer creates the flow from it under a new id).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Deps } from '../deps.ts';
import { apiRoute, json, router, z } from '../api/http.ts';
import { FlowJson } from '../api/schemas.ts';

export const TEMPLATES_DIR = resolve(import.meta.dirname, '../../flows/templates');

const Template = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    trigger: z.object({ type: z.string(), title: z.string(), topic: z.string().optional(), cron: z.string().optional() }).nullable(),
    steps: z.array(z.string()).openapi({ description: 'Titles of the nodes after the trigger, in document order.' }),
    flow: FlowJson,
  })
  .openapi('FlowTemplate');

interface Doc {
  name?: string;
  description?: string;
  nodes?: Array<{ type?: string; name?: string; config?: Record<string, unknown> }>;
}

export function templatesRouter(d: Deps, dir = TEMPLATES_DIR) {
  const app = router();
  app.openapi(
    apiRoute('flows.write', {
      method: 'get',
      path: '/templates',
      tags: ['flows'],
      summary: 'Flow templates to start a new flow from',
      responses: { 200: json(z.object({ templates: z.array(Template) })) },
    }),
    (c) => {
      const templates = readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => {
          const id = basename(f, '.json');
          const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Doc;
          const nodes = doc.nodes ?? [];
          const titled = nodes.map((n) => ({ n, t: d.runtime.lookup(String(n.type)) }));
          const trig = titled.find((x) => x.t?.trigger);
          const cfg = trig?.n.config ?? {};
          return {
            id,
            name: doc.name ?? id,
            description: doc.description ?? '',
            trigger: trig
              ? {
                  type: String(trig.n.type),
                  title: trig.n.name ?? trig.t!.title,
                  ...(typeof cfg.topic === 'string' ? { topic: cfg.topic } : {}),
                  ...(typeof cfg.cron === 'string' ? { cron: cfg.cron } : {}),
                }
              : null,
            steps: titled.filter((x) => x !== trig).map((x) => x.n.name ?? x.t?.title ?? String(x.n.type)),
            flow: { ...(doc as Record<string, unknown>), id },
          };
        });
      return c.json({ templates }, 200);
    },
  );
  return app;
}
