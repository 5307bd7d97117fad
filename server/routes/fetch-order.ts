// POST /exceptions/{id}/fetch-order: a paid order the ERP does not have and no run of which failed (its webhook never
// came, or was refused) has nothing to retry. This reads the order from Shopify and queues it to every active flow
// that takes orders/paid from that shop, as the trigger's sweep would have: under the change's own dedupe key, so a
// flow that already has it (a late webhook, an earlier fetch) runs nothing, and the ERP's business claim keeps a
// second sales order out whatever happens. The orphaned-order check resolves the exception once the ERP has it.
import type { Deps } from '../deps.ts';
import { HttpError, actorOf, apiRoute, conflict, json, notFound, router, z } from '../api/http.ts';
import { fetchOrderDelivery } from '../../nodes/shopify/sweep.ts';
import type { ShopifyClient } from '../../nodes/shopify/client.ts';
import { ingestSwept, knownToFlow, sweptRequest } from '../sweeps.ts';
import { triggerWants } from '../webhooks/shopify.ts';

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const Fetched = z
  .object({
    order: z.object({ id: z.string(), name: z.string() }),
    queued: z.array(z.object({ flowId: z.string(), runId: z.string() })),
    already: z.array(z.string()).openapi({ description: 'Flows that have this change already (nothing queued for them)' }),
    message: z.string(),
  })
  .openapi('FetchedOrder');

export function fetchOrderRouter(d: Deps) {
  const app = router();
  app.openapi(
    apiRoute('exceptions.retry', {
      method: 'post',
      path: '/exceptions/{id}/fetch-order',
      tags: ['exceptions'],
      description:
        'For an orphaned-order exception: reads the order from Shopify and queues it to the active flows that take orders/paid from that shop, ' +
        'under the same dedupe key as its webhook (a flow that has the change already runs nothing).',
      request: { params: IdParam },
      responses: {
        200: json(Fetched),
        404: notFound,
        409: conflict,
        503: json(z.object({ error: z.object({ code: z.string(), message: z.string() }) }), 'Shopify could not be read'),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const exc = await d.exceptions.get(id).catch(() => {
        throw new HttpError(404, 'not_found', `exception "${id}" does not exist`);
      });
      if (exc.type !== 'orphaned-order') throw new HttpError(409, 'conflict', `exception "${id}" is a ${exc.type}, not an orphaned order`);
      if (exc.state === 'resolved') throw new HttpError(409, 'conflict', `exception "${id}" is resolved`);
      const orderGid = exc.links.shopify;
      // The check keys it `<Shopify connection>:<order GID>`.
      if (!orderGid || !exc.key.endsWith(`:${orderGid}`)) throw new HttpError(409, 'conflict', `exception "${id}" names no Shopify order and shop`);
      const connection = exc.key.slice(0, -orderGid.length - 1);
      const rt = d.runtime;
      const flows = (await rt.flows.activeTriggers()).filter(
        (t) => rt.lookup(t.type)?.trigger === 'shopify-webhook' && triggerWants({ ...t.config, mode: 'webhook' }, connection, 'orders/paid'),
      );
      if (!flows.length) throw new HttpError(409, 'conflict', `no active flow takes orders/paid from connection "${connection}"`);
      let delivery;
      try {
        const client = (await d.connections.resolve('shopify', connection)) as ShopifyClient;
        delivery = await fetchOrderDelivery(client, orderGid, 'orders/paid', new Date(d.now()));
      } catch (e) {
        // Shopify unreachable or throttled, the connection broken, an order too large to read: said, nothing queued.
        throw new HttpError(503, 'shopify_unavailable', `could not read order ${orderGid} from Shopify (connection "${connection}"): ${(e as Error).message}`);
      }
      if (!delivery) throw new HttpError(409, 'conflict', `Shopify has no order ${orderGid} (deleted?): resolve the exception with a note`);
      const actor = actorOf(c);
      const queued: Array<{ flowId: string; runId: string }> = [];
      const already: string[] = [];
      // A flow whose webhook run has the change (failed: retry that run instead) is not sent it twice.
      const fresh: typeof flows = [];
      for (const t of flows) (await knownToFlow(rt.store, t.flowId)(delivery.dedupKey)) ? already.push(t.flowId) : fresh.push(t);
      const results = await ingestSwept(
        rt,
        fresh.map((t) => sweptRequest(t.flowId, t.version, connection, delivery, { fetchedBy: actor, exceptionId: id })),
      );
      fresh.forEach((t, i) => {
        const r = results[i]!;
        if (r.duplicate || !r.runIds[0]) already.push(t.flowId);
        else queued.push({ flowId: t.flowId, runId: r.runIds[0] });
      });
      await d.audit.record(actor, 'exception.fetch-order', `exception:${id}`, { order: delivery.order.name, orderId: orderGid, queued, already });
      const name = delivery.order.name;
      const message = queued.length
        ? `Order ${name} read from Shopify and queued to ${queued.map((q) => q.flowId).join(', ')}${already.length ? ` (${already.join(', ')} had it already)` : ''}. ` +
          'This resolves once the ERP has the order (the orphaned-order check, or its retry).'
        : `Every flow that takes orders/paid had order ${name} already (${already.join(', ')}): open its runs.`;
      return c.json({ order: { id: orderGid, name }, queued, already, message }, 200);
    },
  );
  return app;
}
