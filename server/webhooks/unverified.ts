// Deliveries to a Shopify connection that fail verification. Each is answered 401, which is right for a forgery but
// is also what every real delivery gets once the app's secret was rotated in Shopify and not here: Shopify retries each
// one 8 times over 4 hours and then deletes an Admin API subscription, so orders stop arriving with nothing said.
// The first refusal (then at most one a minute per connection, since anyone can send them) raises an exception for
// operations; the next delivery that verifies resolves it.
import type { ExceptionSink } from '../../runtime/node-api/exceptions.ts';

export const UNVERIFIED = 'webhook-unverified';
const RAISE_EVERY_MS = 60_000;

type Sink = Pick<ExceptionSink, 'raise' | 'clear' | 'openKeys'>;
type Log = { warn(o: object, msg: string): void };

export class UnverifiedDeliveries {
  private readonly lastRaised = new Map<string, number>();
  /** Per connection: an exception is open ('open'), none is ('clear'), or not known yet since start (absent). */
  private readonly state = new Map<string, 'open' | 'clear' | 'checking'>();

  constructor(
    private readonly sink: Sink,
    private readonly now: () => number,
    private readonly log: Log,
  ) {}

  /** A delivery to this connection was refused as unverifiable: raised, at most once a minute per connection. */
  async refused(connectionId: string, shopDomain: string | undefined, reason: string): Promise<void> {
    const at = this.now();
    if (at - (this.lastRaised.get(connectionId) ?? -Infinity) < RAISE_EVERY_MS) return;
    this.lastRaised.set(connectionId, at);
    this.state.set(connectionId, 'open');
    const noSecret = reason === 'no_secret';
    await this.sink.raise({
      type: UNVERIFIED,
      key: connectionId,
      owner: 'operations',
      severity: 'high',
      title: noSecret
        ? `Shopify deliveries to connection "${connectionId}" are refused: it has no webhook secret`
        : `Shopify deliveries to connection "${connectionId}" fail verification (${reason})`,
      detail:
        `${noSecret ? 'Give the connection the webhook secret of the Shopify app' : "If the app's secret was rotated in Shopify, put the new one in the connection's webhook secret"}` +
        `${shopDomain ? ` (deliveries name ${shopDomain})` : ''}. Until then every delivery is answered 401: Shopify retries each ` +
        'one 8 times over 4 hours and then deletes a subscription made through the Admin API. After fixing it, the paid orders missed meanwhile come up as orphaned orders, each fetched from Shopify from its exception. ' +
        'Deliveries signed by someone else are refused the same way: if the secret is right, this is someone probing the endpoint.',
      links: {},
      data: { connectionId, reason, shopDomain: shopDomain ?? null },
    });
    this.log.warn({ connectionId, reason }, 'Shopify deliveries refused as unverifiable: raised for operations');
  }

  /** A delivery to this connection verified: an open exception for it resolves. Cheap when there is none. */
  verified(connectionId: string): void {
    const s = this.state.get(connectionId);
    if (s === 'clear' || s === 'checking') return;
    this.state.set(connectionId, 'checking');
    void (async () => {
      if (s === undefined && !(await this.sink.openKeys?.(UNVERIFIED, connectionId))?.includes(connectionId)) return;
      await this.sink.clear(UNVERIFIED, connectionId, 'a delivery to the connection verified again');
    })().then(
      () => this.state.get(connectionId) === 'checking' && this.state.set(connectionId, 'clear'),
      (e: Error) => {
        this.state.delete(connectionId);
        this.log.warn({ connectionId, err: e.message }, 'could not resolve the unverified-deliveries exception');
      },
    );
  }
}
