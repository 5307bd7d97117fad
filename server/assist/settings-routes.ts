// /api/assist/settings: the language model the assistant may use (provider, URL, model; the key write-only, kept in
// the vault), a test call, and the exact request it would send, so an owner sees what leaves the machine before
// turning it on. Owners and consultants configure; only an owner turns it on, and a consultant who points it at
// another endpoint turns it off again.
import type { Deps } from '../deps.ts';
import { actorOf, apiRoute, HttpError, json, jsonBody, router, z } from '../api/http.ts';
import { suggestMapping } from '../../nodes/core/assist/index.ts';
import { defaultOrderSample } from '../../nodes/core/assist/sample.ts';
import { AiSettingsError, type AiSettingsStore, PROVIDERS, type AiSettings } from './ai/settings.ts';
import { callModel } from './ai/model.ts';
import { previewRerank, rerankCall } from './ai/rerank.ts';
import { targetSchemaFor } from './targets.ts';
import { previewExplain } from './ai/explain.ts';
import { triageException } from './triage.ts';
import { flowFacts, peopleOf } from './triage-context.ts';

const Origin = z.enum(['settings', 'env']).nullable();

const SettingsView = z
  .object({
    enabled: z.boolean(),
    provider: z.enum(PROVIDERS).nullable(),
    url: z.string().nullable(),
    model: z.string().nullable(),
    keySet: z.boolean().openapi({ description: 'Whether a key is stored; the key itself is never returned.' }),
    timeoutMs: z.number(),
    from: z
      .object({ provider: Origin, url: Origin, model: Origin })
      .openapi({ description: 'Where each value came from: the saved settings, the environment, or nowhere (null).' }),
    enabledBy: z.string().nullable(),
    problem: z.string().nullable(),
    notes: z.array(z.string()).optional(),
  })
  .openapi('AssistantSettings');

const SettingsPatch = z
  .object({
    enabled: z.boolean().optional(),
    provider: z.enum(PROVIDERS).nullable().optional(),
    url: z.string().max(500).nullable().optional(),
    model: z.string().max(200).nullable().optional(),
    apiKey: z.string().max(1000).nullable().optional().openapi({ description: 'Write-only: a new key, or null to remove it.' }),
  })
  .strict()
  .openapi('AssistantSettingsPatch');

const PreviewBody = z
  .object({
    sample: z.unknown().optional(),
    targetNodeType: z.string().optional(),
    target: z.record(z.string(), z.unknown()).optional(),
    kind: z
      .enum(['mapping', 'triage'])
      .optional()
      .openapi({ description: 'mapping (default): a sales-order mapping on the sample; triage: the explanation of an exception' }),
    exceptionId: z.string().optional().openapi({ description: 'For triage: the exception (default: the latest unresolved one).' }),
  })
  .openapi('AssistantPreviewRequest');

/** A one-field probe with nothing but a currency in it: enough to see the model answers in the expected shape. */
const PROBE_TARGET = {
  type: 'object',
  properties: { currencyCode: { type: 'string', description: 'ISO 4217 currency code of the document', pattern: '^[A-Z]{3}$' } },
};

const view = (s: AiSettings, notes?: string[]) => ({ ...s, ...(notes?.length ? { notes } : {}) });

export function assistSettingsRoutes(d: Deps, store: AiSettingsStore) {
  const app = router();

  app.openapi(
    apiRoute('assist.settings', {
      method: 'get',
      path: '/assist/settings',
      tags: ['assist'],
      summary: "The assistant's language-model settings (the key is never returned)",
      responses: { 200: json(SettingsView) },
    }),
    async (c) => c.json(view(await store.get()), 200),
  );

  app.openapi(
    apiRoute('assist.settings', {
      method: 'put',
      path: '/assist/settings',
      tags: ['assist'],
      summary: 'Change the language-model settings; only an owner may turn the model on',
      request: jsonBody(SettingsPatch),
      responses: { 200: json(SettingsView) },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      const user = c.get('user')!;
      const before = await store.get();
      const notes: string[] = [];
      if (patch.enabled === true && user.role !== 'owner') {
        throw new HttpError(403, 'forbidden', 'only an owner may turn the language model on (it sends masked order data off this machine)', [
          { where: 'body', path: '$.enabled', message: 'owner only' },
        ]);
      }
      const moved = (patch.provider !== undefined && patch.provider !== before.provider) || (patch.url !== undefined && (patch.url || null) !== before.url);
      const effective = { ...patch };
      if (moved && before.enabled && user.role !== 'owner' && patch.enabled === undefined) {
        effective.enabled = false;
        notes.push('The endpoint changed, so the model was turned off; an owner must turn it on again.');
      }
      if (effective.enabled === true) {
        const preview = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as AiSettings;
        if (!preview.provider || !preview.model)
          throw new HttpError(400, 'invalid_request', 'set a provider and a model before turning the model on', [
            { where: 'body', path: !preview.provider ? '$.provider' : '$.model', message: 'required' },
          ]);
      }
      let after: AiSettings;
      try {
        after = await store.update(effective, user.email);
      } catch (e) {
        if (e instanceof AiSettingsError) throw new HttpError(400, 'invalid_request', e.message, [{ where: 'body', path: e.path, message: e.message }]);
        throw e;
      }
      const { apiKey, ...logged } = effective;
      await d.audit.record(actorOf(c), 'assist.settings', 'assist:ai', {
        before: { ...before },
        after: { ...after },
        changed: logged,
        keyChanged: apiKey === undefined ? false : apiKey === null ? 'removed' : 'replaced',
      });
      return c.json(view(after, notes), 200);
    },
  );

  app.openapi(
    apiRoute('assist.settings', {
      method: 'post',
      path: '/assist/settings/test',
      tags: ['assist'],
      summary: 'Send the model a one-field probe (a currency code, no order data) and report whether it answered in the expected shape',
      responses: { 200: json(z.object({ ok: z.boolean(), ms: z.number(), message: z.string(), answer: z.unknown().optional() }).openapi('AssistantTest')) },
    }),
    async (c) => {
      const s = await store.get();
      if (s.problem) return c.json({ ok: false, ms: 0, message: s.problem }, 200);
      const probe = suggestMapping(PROBE_TARGET, { top: 3 });
      // The probe's candidates carry no sample values: the test sends no order data at all.
      const bare = {
        ...probe,
        targets: probe.targets.map((t) => ({
          ...t,
          candidates: t.candidates.map(({ sampleValue: _v, ...rest }) => ({ ...rest, reason: rest.reason.replace(/; sample [^;]*/g, '') })),
        })),
      };
      const out = await callModel(s, await store.key(), rerankCall(bare, {}));
      if (!out.ok) d.log.warn({ reason: d.scrub(out.reason), kind: out.kind }, 'assistant model test failed');
      return c.json(
        d.scrub(
          out.ok
            ? { ok: true, ms: out.ms, message: `${s.model} answered in ${out.ms} ms in the expected shape`, answer: out.value }
            : { ok: false, ms: out.ms, message: out.reason },
        ),
        200,
      );
    },
  );

  app.openapi(
    apiRoute('assist.settings', {
      method: 'post',
      path: '/assist/settings/preview',
      tags: ['assist'],
      summary: 'The exact HTTP request the assistant would send the model for a mapping suggestion or a triage explanation (captured, not sent)',
      request: jsonBody(PreviewBody),
      responses: {
        200: json(z.object({ url: z.string().optional(), body: z.unknown().optional(), error: z.string().optional() }).openapi('AssistantPreview')),
      },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const s = await store.get();
      if (!s.provider || !s.model) return c.json({ error: s.problem ?? 'set a provider and a model first' }, 200);
      if (b.kind === 'triage') {
        let e;
        try {
          e = b.exceptionId ? await d.exceptions.get(b.exceptionId) : (await d.exceptions.list({ state: 'unresolved', limit: 1 })).items[0];
        } catch {
          e = undefined;
        }
        if (!e) return c.json({ error: b.exceptionId ? `no exception "${b.exceptionId}"` : 'no unresolved exception to show a request for' }, 200);
        return c.json(d.scrub(await previewExplain(s, e, triageException(e, await flowFacts(d)), peopleOf(d, e))), 200);
      }
      const target = b.target ?? targetSchemaFor(b.targetNodeType ?? 'erp.post-sales-order');
      const offline = suggestMapping(target, { sample: b.sample, top: 5 });
      return c.json(d.scrub(await previewRerank(s, offline, b.sample ?? defaultOrderSample())), 200);
    },
  );
  return app;
}
