// Two active flows that would post the same Shopify event to the same ERP: each such order (refund, …) would be
// booked twice. A flow "posts an event" when its Shopify trigger (connection + topic) and one of its ERP posting
// nodes (erp.post-*, on an ERP connection) are in the same document. Checked when a flow is activated or an active
// flow is published, and shown in the designer; it is a warning (the consultant may be mid-migration), naming both.
import type { Runtime } from '../../runtime/index.ts';
import { isTestFlow } from './test-run.ts';

interface NodeLike {
  type?: unknown;
  config?: Record<string, unknown> | null;
}
export interface PostKey {
  shop: string;
  topic: string;
  erp: string;
  post: string;
}
export interface Overlap {
  flowId: string;
  flowName: string;
  message: string;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

export function postKeys(definition: unknown): PostKey[] {
  const nodes = ((definition as { nodes?: unknown })?.nodes ?? []) as NodeLike[];
  if (!Array.isArray(nodes)) return [];
  const events: Array<{ shop: string; topic: string }> = [];
  for (const n of nodes) {
    if (n?.type !== 'shopify.trigger') continue;
    const shop = str(n.config?.connection);
    const topics = Array.isArray(n.config?.topics) ? n.config.topics : [n.config?.topic];
    for (const t of topics) if (shop && str(t)) events.push({ shop, topic: t as string });
  }
  const posts = nodes
    .filter((n) => typeof n?.type === 'string' && n.type.startsWith('erp.post-') && str(n.config?.connection))
    .map((n) => ({ erp: n.config!.connection as string, post: n.type as string }));
  return events.flatMap((e) => posts.map((p) => ({ ...e, ...p })));
}

const keyOf = (k: PostKey) => `${k.shop}\u0000${k.topic}\u0000${k.erp}\u0000${k.post}`;

/** Other active flows posting an event this definition posts, one message per other flow. */
export async function postOverlaps(rt: Runtime, flowId: string, flowName: string, definition: unknown): Promise<Overlap[]> {
  const mine = new Map(postKeys(definition).map((k) => [keyOf(k), k]));
  if (!mine.size) return [];
  const out: Overlap[] = [];
  for (const f of await rt.flows.list()) {
    if (f.id === flowId || !f.active || f.activeVersion == null || isTestFlow(f.id)) continue;
    const shared = postKeys((await rt.flows.version(f.id, f.activeVersion)).definition).filter((k) => mine.has(keyOf(k)));
    if (!shared.length) continue;
    const what = [...new Set(shared.map((k) => `Shopify ${k.topic} from "${k.shop}" to ERP "${k.erp}" (${k.post})`))].join('; ');
    out.push({
      flowId: f.id,
      flowName: f.name,
      message: `"${flowName}" and "${f.name}" are both active and both post ${what}: every such event would be posted twice. Deactivate one of them, or give them different triggers or connections.`,
    });
  }
  return out;
}
