import { useEffect, useRef, useState } from 'react';
import { exceptionsApi, type ActionInput, type ExceptionAction, type ExceptionDetail, type ExceptionItem } from '../api/exceptions.ts';
import type { Role } from '../api/types.ts';
import { Link } from '../app/Link.tsx';
import { ActionForm } from './ActionForm.tsx';
import { actionsFor, ago } from './inbox-model.ts';
import { ExceptionTriage } from '../assist/ExceptionTriage.tsx';
import { fixLink } from './fix-link.ts';
import { mayOpen } from '../app/access.ts';

interface Props {
  item: ExceptionItem;
  role: Role | undefined;
  checked: boolean;
  /** Opened from a link to this exception: its detail is shown and the row scrolled into view. */
  focused?: boolean;
  onCheck(on: boolean): void;
  onAct(action: ExceptionAction, input: ActionInput): Promise<void>;
}

export function ExceptionRow({ item, role, checked, focused, onCheck, onAct }: Props) {
  const [form, setForm] = useState<ExceptionAction | null>(null);
  const [detail, setDetail] = useState<ExceptionDetail | null>(null);
  const row = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (!focused) return;
    row.current?.scrollIntoView({ block: 'center' });
    void exceptionsApi.get(item.id).then(setDetail);
  }, [focused, item.id]);
  const actions = actionsFor(item, role);
  const fix = fixLink(item);
  const act = (a: ExceptionAction, input: ActionInput = {}) => void onAct(a, input).then(() => setForm(null));
  return (
    <>
      <tr ref={row} data-exception={item.id} className={`sev-${item.severity} state-${item.state}${focused ? ' focused' : ''}`}>
        <td>
          <input
            type="checkbox"
            aria-label={`Select ${item.title}`}
            checked={checked}
            onChange={(e) => onCheck(e.target.checked)}
            disabled={item.state === 'resolved'}
          />
        </td>
        <td>
          <span className={`pill sev sev-${item.severity}`}>{item.severity}</span>
        </td>
        <td>
          <button type="button" className="link" onClick={() => (detail ? setDetail(null) : void exceptionsApi.get(item.id).then(setDetail))}>
            <strong>{item.title}</strong>
          </button>
          {item.count > 1 && <span className="pill">×{item.count}</span>}
          {item.detail && <div className="help">{item.detail}</div>}
          {fix && (
            <div className="fix-link">
              <Link to={fix.to} className="button" data-testid="fix-link">
                {fix.label}
              </Link>
            </div>
          )}
          <div className="help">
            <code>{item.type}</code>
            {item.links.runId && (
              <>
                {' '}
                · <Link to={`/runs/${encodeURIComponent(item.links.runId)}`}>run</Link>
              </>
            )}
            {item.links.flowId && <> · flow {item.links.flowId}</>}
            {item.links.shopify && <ShopifyLink gid={item.links.shopify} name={item.links.shopifyName} runs={mayOpen('/runs', role)} />}
          </div>
          <ExceptionTriage item={item} />
        </td>
        <td>{item.owner}</td>
        <td>{item.assignee ?? <span className="muted">—</span>}</td>
        <td>
          <span className={`pill state ${item.state}`} data-testid="exception-state">
            {item.state}
            {item.autoResolved ? ' (auto)' : ''}
          </span>
        </td>
        <td title={new Date(item.lastSeen).toLocaleString()}>{ago(item.lastSeen)}</td>
        <td className="actions">
          {actions.map((a) => (
            <button type="button" key={a} onClick={() => (a === 'acknowledge' || a === 'retry' ? act(a) : setForm(form === a ? null : a))}>
              {a}
            </button>
          ))}
        </td>
      </tr>
      {form && (
        <tr className="subrow">
          <td />
          <td colSpan={7}>
            <ActionForm action={form} exceptionId={item.id} onSubmit={(i) => act(form, i)} onCancel={() => setForm(null)} />
          </td>
        </tr>
      )}
      {detail && (
        <tr className="subrow">
          <td />
          <td colSpan={7}>
            {detail.resolutionNote && (
              <p>
                Resolved: {detail.resolutionNote} ({detail.resolvedBy})
              </p>
            )}
            <ul className="history">
              {detail.events.map((e) => (
                <li key={e.id}>
                  {new Date(e.at).toLocaleString()} · <strong>{e.actor}</strong> {e.action}
                  {e.note ? `: ${e.note}` : ''}
                </li>
              ))}
            </ul>
            {detail.runs.length > 0 && (
              <p className="help">
                Runs:{' '}
                {detail.runs.map((r) => (
                  <Link key={r.runId} to={`/runs/${encodeURIComponent(r.runId)}`}>
                    {r.runId} ({r.status}){' '}
                  </Link>
                ))}
              </p>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

/** The Shopify object an exception is about, by the order's name where known; an order or refund opens its runs. */
function ShopifyLink({ gid, name, runs }: { gid: string; name?: string; runs: boolean }) {
  const text = name ? `order ${name}` : gid;
  return (
    <>
      {' '}
      ·{' '}
      {runs && /^gid:\/\/shopify\/(Order|Refund)\//.test(gid) ? (
        <Link to={`/runs?q=${encodeURIComponent(name ?? gid)}`} title={`The runs of ${name ? `order ${name}` : 'it'} (${gid})`} data-testid="exception-order">
          {text}
        </Link>
      ) : (
        <span title={gid}>{text}</span>
      )}
    </>
  );
}
