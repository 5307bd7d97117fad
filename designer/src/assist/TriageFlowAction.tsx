// The triage buttons that act on a flow: pause (or resume) a throttled scheduled flow, and change how often the stock
// push runs. Each says what it did and offers its undo right there (resume / pause again / the previous schedule);
// the server checks the role, refuses what it cannot do safely and keeps every act in the audit log.
import { useState } from 'react';
import { flowControlsApi, type TriageAction } from '../api/assist.ts';
import { Link } from '../app/Link.tsx';
import { can } from '../app/permissions.ts';
import { useSession } from '../app/session.ts';

export const FLOW_ACTIONS = ['pause-flow', 'resume-flow', 'raise-stock-push-interval'];

type Done = { text: string; undo?: { label: string; run(): Promise<Done> } };

export function TriageFlowAction({ action, exceptionId }: { action: TriageAction; exceptionId: string }) {
  const role = useSession((s) => s.user?.role);
  const [done, setDone] = useState<Done | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { flowId, to } = action.params;
  const allowed = can(role, action.kind === 'raise-stock-push-interval' ? 'flows.schedule' : 'flows.pause');
  if (!flowId)
    return (
      <p className="error" role="alert">
        This proposal names no flow (params.flowId is missing), so it cannot be done from here.
      </p>
    );

  const pause = async (): Promise<Done> => ({ text: (await flowControlsApi.pause(flowId, exceptionId)).message, undo: { label: 'Resume', run: resume } });
  const resume = async (): Promise<Done> => ({ text: (await flowControlsApi.resume(flowId, exceptionId)).message, undo: { label: 'Pause again', run: pause } });
  const schedule = (cron: string, expectedVersion?: number) => async (): Promise<Done> => {
    const r = await flowControlsApi.schedule(flowId, { cron, expectedVersion, exceptionId });
    return { text: r.message, undo: { label: `Undo: back to ${r.fromEvery.toLowerCase()}`, run: schedule(r.from, r.version) } };
  };
  const first =
    action.kind === 'pause-flow'
      ? pause
      : action.kind === 'resume-flow'
        ? resume
        : to
          ? schedule(to, action.params.version ? Number(action.params.version) : undefined)
          : null;

  async function act(f: () => Promise<Done>) {
    setBusy(true);
    setError(null);
    try {
      setDone(await f());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!allowed) return <p className="help">Proposed: {action.label}. An operator, consultant or owner can do this from here.</p>;
  if (!first)
    return (
      <p className="error" role="alert">
        This proposal names no schedule (params.to is missing), so it cannot be done from here.
      </p>
    );
  return (
    <div className="triage-flow-action" data-testid="triage-flow-action" data-kind={action.kind}>
      {!done && (
        <button type="button" className="primary" disabled={busy} onClick={() => void act(first)}>
          {action.label}
        </button>
      )}
      {done && (
        <p className="ok-text" role="status" data-testid="triage-flow-status">
          {done.text} <Link to={`/flows/${encodeURIComponent(flowId)}`}>Open the flow</Link>{' '}
          {done.undo && (
            <button type="button" disabled={busy} onClick={() => void act(done.undo!.run)}>
              {done.undo.label}
            </button>
          )}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
