// The sandbox control panel: send scenario events (they go through the real signed-webhook path, or change the ERP
// and run the scheduled flow now), then watch what each became: the run, and the ERP document or reconciliation.
import { useCallback, useEffect, useState } from 'react';
import { adminApi, toDate, type SandboxActivity, type SandboxInfo, type Schedule } from '../api/admin.ts';
import { api } from '../api/client.ts';
import { Link } from '../app/Link.tsx';
import { useSession } from '../app/session.ts';
import { belongsToRow, finished, outcomeOf, type Outcome } from './activity.ts';

export function SandboxPage() {
  const role = useSession((s) => s.user?.role);
  const [info, setInfo] = useState<SandboxInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [reveal, setReveal] = useState(false);

  const load = useCallback(() => adminApi.sandbox().then(setInfo, (e: Error) => setError(e.message)), []);
  useEffect(() => {
    void load();
  }, [load]);
  // The sandbox shop starts a second after the server: ask again until it is up.
  useEffect(() => {
    if (!info || info.ready || !info.sandboxMode) return;
    const t = setTimeout(() => void load(), 1000);
    return () => clearTimeout(t);
  }, [info, load]);

  async function send(id: string) {
    setBusy(id);
    setNotice(null);
    try {
      const r = await adminApi.sendScenario(id);
      setNotice({ ok: true, text: r.message });
      await load();
    } catch (e) {
      setNotice({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(null);
    }
  }

  if (error)
    return (
      <section className="page">
        <h2>Sandbox</h2>
        <p className="error">{error}</p>
      </section>
    );
  if (!info)
    return (
      <section className="page">
        <p className="muted">Loading…</p>
      </section>
    );
  if (!info.sandboxMode) {
    return (
      <section className="page" data-testid="sandbox-page">
        <h2>Sandbox</h2>
        <p className="muted">This server runs on real connections, not the sandbox: there is no sandbox shop to send events from.</p>
      </section>
    );
  }
  return (
    <section className="page sandbox" data-testid="sandbox-page">
      <h2>Sandbox</h2>
      <p className="muted">
        Send the events a real shop would. Orders and refunds go out as Shopify’s signed webhooks to this server; a shipment changes the sandbox ERP; a payout
        pays out the orders and refunds the ERP has booked. Each row below shows what the flows did with it.
      </p>
      <h3>Send an event</h3>
      {!info.ready && <p className="muted">The sandbox shop is starting…</p>}
      <div className="scenario-grid">
        {info.scenarios.map((s) => (
          <div key={s.id} className="card scenario" data-scenario={s.id} title={`Starts with: ${s.starts}`}>
            <strong>{s.title}</strong>
            <span className="muted small">{s.expect}</span>
            <button type="button" className="primary" disabled={!info.ready || busy !== null} onClick={() => void send(s.id)}>
              {busy === s.id ? 'Sending…' : 'Send'}
            </button>
          </div>
        ))}
      </div>
      {notice && (
        <p
          ref={(el) => el?.scrollIntoView({ block: 'nearest' })}
          className={notice.ok ? 'notice-inline ok' : 'notice-inline error'}
          role="alert"
          data-testid="sandbox-notice"
        >
          {notice.text}
        </p>
      )}

      <h3>What happened</h3>
      {info.activity.length === 0 ? (
        <p className="muted">Nothing sent yet.</p>
      ) : (
        <table className="table" data-testid="sandbox-activity">
          <thead>
            <tr>
              <th>When</th>
              <th>Sent</th>
              <th>Runs</th>
            </tr>
          </thead>
          <tbody>
            {info.activity.map((a) => (
              <ActivityRow key={`${a.at}-${a.label}`} a={a} canSeeRuns={role !== 'client'} />
            ))}
          </tbody>
        </table>
      )}

      <Schedules />

      <h3>Sandbox shop</h3>
      <div className="card sandbox-shop" data-testid="sandbox-shop">
        <div className="kv">
          <span>Shop</span>
          <code>{info.shop.domain ?? 'starting…'}</code>
          <span className="muted">
            connection {info.shop.connection}, ERP connection {info.erp.connection}
          </span>
        </div>
        <div className="kv">
          <span>Webhooks to</span>
          <code data-testid="webhook-url">{info.shop.webhookUrl}</code>
        </div>
        {info.shop.webhookSecret ? (
          <div className="kv">
            <span>Webhook secret</span>
            <code data-testid="webhook-secret">{reveal ? info.shop.webhookSecret : '•'.repeat(24)}</code>
            <button type="button" className="small-button" onClick={() => setReveal(!reveal)}>
              {reveal ? 'Hide' : 'Show'}
            </button>
            <button type="button" className="small-button" onClick={() => void navigator.clipboard?.writeText(info.shop.webhookSecret!)}>
              Copy
            </button>
            <span className="muted">
              sign test deliveries with it (HMAC-SHA256, base64) or give it to <code>ledgerline sandbox-store</code>
            </span>
          </div>
        ) : (
          <div className="kv">
            <span>Webhook secret</span>
            <span className="muted">shown to owners and consultants</span>
          </div>
        )}
      </div>
    </section>
  );
}

/** Polls the runs an activity started until they finish (webhook runs are found by the order's key, then sorted by row). */
function ActivityRow({ a, canSeeRuns }: { a: SandboxActivity; canSeeRuns: boolean }) {
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const since = (toDate(a.at)?.getTime() ?? 0) - 1000;
    const poll = async (left: number) => {
      try {
        let ids = a.runs.map((r) => r.runId);
        if (a.orderGid) {
          const { runs } = await api.runs({ key: `shopifyOrderId:${a.orderGid}`, limit: 20 });
          ids = [...ids, ...runs.filter((r) => (toDate(r.createdAt)?.getTime() ?? 0) >= since).map((r) => r.runId)];
        }
        const direct = new Set(a.runs.map((r) => r.runId));
        const recs = (await Promise.all([...new Set(ids)].map((id) => api.run(id)))).filter((r) => direct.has(r.runId) || belongsToRow(a, r));
        if (stop) return;
        const list = recs.map(outcomeOf).reverse();
        setOutcomes(list);
        if (left > 0 && (list.length === 0 || list.some((o) => !finished(o.status)))) timer = setTimeout(() => void poll(left - 1), 1000);
      } catch {
        if (!stop && left > 0) timer = setTimeout(() => void poll(left - 1), 2000);
      }
    };
    void poll(60);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [a]);
  return (
    <tr data-activity={a.kind}>
      <td className="nowrap">{toDate(a.at)?.toLocaleTimeString() ?? a.at}</td>
      <td>{a.label}</td>
      <td>
        {outcomes === null || outcomes.length === 0 ? (
          <span className="muted">waiting for the webhook…</span>
        ) : (
          <ul className="outcomes">
            {outcomes.map((o) => (
              <li key={o.runId} data-outcome={o.status}>
                <span className={`pill status-${o.status}`}>{o.status}</span>{' '}
                <span data-flow={o.flowId}>{canSeeRuns ? <Link to={`/runs/${encodeURIComponent(o.runId)}`}>{o.flowName}</Link> : o.flowName}</span>
                {o.detail && <span className={o.status === 'failed' ? 'error' : ''}> — {o.detail}</span>}
                {o.status === 'failed' && (
                  <>
                    {' '}
                    · <Link to="/exceptions">exceptions</Link>
                  </>
                )}
                {a.kind === 'payout' && o.status === 'succeeded' && (
                  <>
                    {' '}
                    · <Link to="/finance/payouts">payouts page</Link>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

/** Every active scheduled flow with "run now": nobody should wait for 06:00 to see a payout reconcile. */
export function Schedules() {
  const [list, setList] = useState<Schedule[] | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  useEffect(() => {
    adminApi.schedules().then(
      (r) => setList(r.schedules),
      () => setList([]),
    );
  }, []);
  if (!list?.length) return null;
  return (
    <>
      <h3>Scheduled flows</h3>
      <table className="table compact" data-testid="schedules">
        <thead>
          <tr>
            <th>Flow</th>
            <th>Runs</th>
            <th>Next</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={s.flowId} data-schedule={s.flowId}>
              <td>
                <Link to={`/flows/${encodeURIComponent(s.flowId)}`}>{s.name}</Link>
              </td>
              <td>
                {s.every} <span className="muted">({s.timezone})</span>
              </td>
              <td>{toDate(s.next)?.toLocaleString() ?? '—'}</td>
              <td>
                <button
                  type="button"
                  onClick={async () => {
                    try {
                      const r = await adminApi.runNow(s.flowId);
                      setMsg(`${s.name}: run ${r.runId} queued.`);
                    } catch (e) {
                      setMsg((e as Error).message);
                    }
                  }}
                >
                  Run now
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {msg && (
        <p className="muted" role="status">
          {msg}
        </p>
      )}
    </>
  );
}
