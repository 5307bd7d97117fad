// Delivers webhooks the way Shopify does: raw JSON body, base64 HMAC-SHA256 with the app secret, X-Shopify-* headers.
// Switches reproduce real delivery faults: duplicates (same event id), reordering, delay, drops.
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookDeliveryOptions {
  duplicate?: boolean;
  /** Hold deliveries and send them in reverse order on flush(). */
  reorder?: boolean;
  delayMs?: number;
  /** 0..1 share of deliveries silently dropped. */
  dropRate?: number;
}

export interface WebhookDelivery {
  topic: string;
  eventId: string;
  webhookId: string;
  status: number | 'dropped' | 'error';
}

export function signWebhook(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

export class WebhookSender {
  url: string | undefined;
  options: WebhookDeliveryOptions = {};
  readonly deliveries: WebhookDelivery[] = [];
  private held: (() => Promise<void>)[] = [];
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly shopDomain: string,
    private readonly secret: string,
    private readonly apiVersion: string,
  ) {}

  /** Sends `payload` (a JSON text, so 18-digit ids go out exact) for `topic`. */
  send(topic: string, body: string): void {
    if (!this.url) return;
    const eventId = randomUUID();
    const triggeredAt = new Date().toISOString();
    const once = async () => {
      const webhookId = randomUUID();
      if (this.options.dropRate && Math.random() < this.options.dropRate) {
        this.deliveries.push({ topic, eventId, webhookId, status: 'dropped' });
        return;
      }
      if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
      try {
        const res = await fetch(this.url!, {
          method: 'POST',
          body,
          headers: {
            'Content-Type': 'application/json',
            'X-Shopify-Topic': topic,
            'X-Shopify-Hmac-Sha256': signWebhook(this.secret, body),
            'X-Shopify-Shop-Domain': this.shopDomain,
            'X-Shopify-API-Version': this.apiVersion,
            'X-Shopify-Webhook-Id': webhookId,
            'X-Shopify-Event-Id': eventId,
            'X-Shopify-Triggered-At': triggeredAt,
          },
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer();
        this.deliveries.push({ topic, eventId, webhookId, status: res.status });
      } catch {
        this.deliveries.push({ topic, eventId, webhookId, status: 'error' });
      }
    };
    const jobs = this.options.duplicate ? [once, once] : [once];
    if (this.options.reorder) this.held.push(...jobs);
    else for (const j of jobs) this.track(j());
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Sends held (reordered) deliveries newest first and waits for everything in flight. */
  async flush(): Promise<void> {
    const held = this.held.reverse();
    this.held = [];
    for (const j of held) await j();
    await Promise.all([...this.pending]);
  }
}
