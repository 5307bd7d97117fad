// Fixing the cause of waiting runs and reading how their retries went:
// - POST /exceptions/{id}/fix-lookup: adds the row(s) an unmapped-key exception is missing (its keys, the values the
//   person chose) to the table it names, then retries every run waiting on that table that the change resolves.
//   Operators may do this without the right to edit lookup tables freely: only the missing keys can be added, or, for
//   an unknown SKU an override row sent, that row's value corrected.
// - POST /runs/outcomes: how a set of runs (the replays of a bulk retry) ended so far.
import type { Deps } from '../deps.ts';
import { HttpError, actorOf, apiRoute, conflict, json, jsonBody, notFound, router, z } from '../api/http.ts';
import { keyCellLikeTable, LookupConflictError, LookupNotFoundError, LookupValidationError } from '../lookups/store/index.ts';
import { missingLookup, outcomeOf, retryWaitingOnLookup, SKU_OVERRIDES, skuOverrideKeys } from '../exceptions/waiting.ts';
import { RetryBatch } from '../lookups/schemas.ts';
import { erpReferences, ReferencesUnavailableError } from '../lookups/erp-references.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const FixBody = z
  .object({
    /** Value column → value, the same for every missing key of the exception. */
    values: z.record(z.string().min(1), z.string().max(500)),
    message: z.string().max(500).optional(),
  })
  .strict();

const Outcome = z
  .object({
    total: z.number().int(),
    succeeded: z.number().int(),
    pending: z.number().int(),
    skipped: z.number().int(),
    failed: z.array(z.object({ runId: z.string(), replayOf: z.string().nullable(), nodeId: z.string().nullable(), message: z.string() })),
  })
  .openapi('RetryOutcome');

export function retriesRouter(d: Deps) {
  const app = router();
  // The same check as the lookup editor's saves: a value naming an ERP record (a tax code) must exist in the ERP.
  const references = erpReferences({ runtime: d.runtime, connections: d.connections, lookups: d.lookups });

  app.openapi(
    apiRoute('exceptions.retry', {
      method: 'post',
      path: '/exceptions/{id}/fix-lookup',
      tags: ['exceptions'],
      description:
        'Adds the lookup row(s) an unmapped-key exception is missing (its own keys plus the values given) as a new table version ' +
        '(for an unknown SKU that an SKU-override row sent, corrects that row instead; an ERP item code is looked up in the ERP first), ' +
        'then retries the runs waiting on that table that the change resolves (`retried`; read their outcome with POST /runs/outcomes).',
      request: { params: IdParam, ...jsonBody(FixBody) },
      responses: {
        200: json(
          z.object({ table: z.string(), scope: z.string(), version: z.number().int(), rows: z.array(z.record(z.string(), z.string())), retried: RetryBatch }),
        ),
        404: notFound,
        409: conflict,
        422: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Invalid row'),
        503: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), "The ERP's reference list could not be read"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      let exc;
      try {
        exc = await d.exceptions.get(id);
      } catch {
        throw new HttpError(404, 'not_found', `exception "${id}" does not exist`);
      }
      if (exc.state === 'resolved') throw new HttpError(409, 'conflict', `exception "${id}" is resolved`);
      const m = missingLookup(exc);
      if (!m?.keys.length) throw new HttpError(409, 'conflict', `exception "${id}" is not about a missing lookup row; fix its cause where it points`);
      let table;
      try {
        table = await d.lookups.get({ scope: m.scope, name: m.table });
      } catch {
        throw new HttpError(404, 'not_found', `lookup table "${m.table}" (${m.scope}) does not exist any more`);
      }
      const unknown = Object.keys(body.values).filter((k) => !table.valueColumns.includes(k));
      if (unknown.length) {
        throw new HttpError(
          400,
          'invalid_request',
          `table "${m.table}" has no value column ${unknown.map((k) => `"${k}"`).join(', ')} (it has ${table.valueColumns.join(', ')})`,
          unknown.map((k) => ({ where: 'body', path: `$.values.${k}`, message: 'not a value column of the table' })),
        );
      }
      const saved = (await d.lookups.rows({ scope: m.scope, name: m.table })).rows;
      const keys = m.table === SKU_OVERRIDES ? skuOverrideKeys(m.keys, saved) : m.keys;
      const rows = keys.map((key) => ({
        ...Object.fromEntries(table.keyColumns.map((k) => [k.name, keyCellLikeTable(k, key[k.name], saved)])),
        ...body.values,
      }));
      // A row the table already has as given is what the runs failed with: writing it again would retry them for nothing.
      const current = new Set(saved.map((r) => JSON.stringify(Object.entries(r).sort())));
      const same = rows.find((r) => current.has(JSON.stringify(Object.entries(r).sort())));
      if (same)
        throw new HttpError(
          422,
          'invalid_lookup_data',
          `table "${m.table}" already has the row ${JSON.stringify(same)}, and the runs failed with it: give another value`,
          [{ where: 'body', path: '$.values', message: 'the same as the row the runs failed with' }],
        );
      let problems;
      try {
        problems = await references.check(table, rows);
      } catch (e) {
        if (e instanceof ReferencesUnavailableError) throw new HttpError(503, 'erp_unavailable', e.message);
        throw e;
      }
      if (problems.length)
        throw new HttpError(
          422,
          'invalid_lookup_data',
          problems.length > 1 ? `${problems[0]!.message} (and ${problems.length - 1} more)` : problems[0]!.message,
          problems,
        );
      const by = actorOf(c);
      let version;
      try {
        version = await d.lookups.upsertRows({ scope: m.scope, name: m.table }, rows, { by, message: body.message ?? `added from exception ${id}` });
      } catch (e) {
        if (e instanceof LookupValidationError) throw new HttpError(422, 'invalid_lookup_data', e.message);
        if (e instanceof LookupConflictError || e instanceof LookupNotFoundError) throw new HttpError(409, 'conflict', e.message);
        throw e;
      }
      await d.audit.record(by, 'lookup.rows.fix', `lookup:${m.scope}/${m.table}`, { version: version.version, exceptionId: id, rows: rows.length });
      const retried = await retryWaitingOnLookup(d.exceptions, d.lookups, { scope: m.scope, name: m.table }, by);
      // A corrected override leaves no row keyed by the ERP code the runs sent, which is how the waiting runs are
      // recognised in general: the exception this fix was made for is retried by name.
      if (!retried.exceptions.includes(id)) {
        try {
          const r = await d.exceptions.retry(id, by);
          retried.exceptions.push(id);
          retried.runs.push(...r.replayed);
          retried.skipped.push(...r.skipped);
        } catch {
          // Its runs are already replaying: it resolves on its own.
        }
      }
      return c.json({ table: m.table, scope: m.scope, version: version.version, rows, retried }, 200);
    },
  );

  app.openapi(
    apiRoute('runs.outcomes', {
      method: 'post',
      path: '/runs/outcomes',
      tags: ['runs'],
      description: 'How these runs (e.g. the replays of a bulk retry) ended so far: succeeded, still pending, skipped, and each failure with its reason.',
      request: jsonBody(z.object({ runIds: z.array(z.string().min(1)).max(500) }).strict()),
      responses: { 200: json(Outcome) },
    }),
    async (c) => c.json(d.scrub(await outcomeOf(d.runtime.runs, c.req.valid('json').runIds)) as z.infer<typeof Outcome>, 200),
  );

  return app;
}
