// Replay, with the list first: from the failed step, the start or a chosen step, which steps will re-run and which
// outputs are reused (and why), and a re-send of an already posted document only when ticked.
import { useEffect, useState } from 'react';
import { replayApi, type ReplayFrom, type ReplayPlan } from '../api/replay.ts';
import type { RunRecord } from '../api/types.ts';

type Mode = 'failed' | 'start' | 'step';

export function ReplayPanel({ run, onReplayed, onClose }: { run: RunRecord; onReplayed(newRunId: string): void; onClose(): void }) {
  const failedRun = run.status === 'failed' || run.status === 'cancelled';
  const [mode, setMode] = useState<Mode>(failedRun ? 'failed' : 'start');
  const [step, setStep] = useState(run.steps.find((s) => s.status === 'failed')?.nodeId ?? run.steps[0]?.nodeId ?? '');
  const [resend, setResend] = useState<string[]>([]);
  const [plan, setPlan] = useState<ReplayPlan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from: ReplayFrom = mode === 'step' ? { step } : mode;
  const request = { from, ...(resend.length ? { resend } : {}) };
  const key = JSON.stringify(request);

  // biome-ignore lint/correctness/useExhaustiveDependencies: request is a new object on each render; key is its content
  useEffect(() => {
    let stale = false;
    setError(null);
    replayApi.preview(run.runId, request).then(
      (p) => !stale && setPlan(p),
      (e: Error) => {
        if (stale) return;
        setPlan(null);
        setError(e.message);
      },
    );
    return () => {
      stale = true;
    };
  }, [run.runId, key]);

  async function confirm() {
    setBusy(true);
    try {
      const r = await replayApi.replay(run.runId, request);
      onReplayed(r.runId);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (nodeId: string, on: boolean) => setResend(on ? [...resend, nodeId] : resend.filter((n) => n !== nodeId));
  const waiting = plan?.steps.filter((s) => s.action === 'rerun' && s.needsConfirmation && !resend.includes(s.nodeId)) ?? [];
  return (
    <div className="replay-panel" data-testid="replay-panel">
      <div className="row">
        <strong>Replay</strong>
        <label>
          <input type="radio" name="replay-from" checked={mode === 'failed'} disabled={!failedRun} onChange={() => setMode('failed')} /> from the failed step
        </label>
        <label>
          <input type="radio" name="replay-from" checked={mode === 'start'} onChange={() => setMode('start')} /> from the start
        </label>
        <label>
          <input type="radio" name="replay-from" checked={mode === 'step'} onChange={() => setMode('step')} /> from step{' '}
          <select aria-label="Replay from step" value={step} onChange={(e) => (setStep(e.target.value), setMode('step'))}>
            {run.steps.map((s) => (
              <option key={s.nodeId} value={s.nodeId}>
                {s.nodeId}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={onClose}>
          Close
        </button>
      </div>
      {plan && (
        <>
          <p className="help">
            On version {plan.flowVersion}:{' '}
            <strong>
              {plan.rerun.length} step{plan.rerun.length === 1 ? '' : 's'} re-run
            </strong>
            , {plan.reused.length} reused.
          </p>
          <table className="grid replay-plan" data-testid="replay-plan">
            <thead>
              <tr>
                <th>Step</th>
                <th>Will</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {plan.steps.map((s) => (
                <tr key={s.nodeId} data-plan-step={s.nodeId} data-action={s.action}>
                  <td>
                    <strong>{s.nodeId}</strong> <span className="muted small">{s.title}</span>
                  </td>
                  <td>
                    <span className={`pill ${s.action === 'rerun' ? 'status-running' : ''}`}>{s.action === 'rerun' ? 're-run' : 'reuse output'}</span>
                  </td>
                  <td>
                    {s.reason}
                    {s.needsConfirmation && (
                      <div>
                        <label className="small">
                          <input type="checkbox" checked={resend.includes(s.nodeId)} onChange={(e) => toggle(s.nodeId, e.target.checked)} />{' '}
                          {s.written
                            ? `Send again (${s.written.documents.join(', ')} already exists in the ERP; cancel it there first)`
                            : 'I checked the target system: run it again'}
                        </label>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" className="primary" disabled={!plan || busy || waiting.length > 0} onClick={() => void confirm()}>
          {busy ? 'Replaying…' : plan ? `Replay: re-run ${plan.rerun.length}, reuse ${plan.reused.length}` : 'Replay'}
        </button>
        {waiting.length > 0 && <span className="error small">Tick the confirmation of {waiting.map((s) => s.nodeId).join(', ')} first.</span>}
      </div>
    </div>
  );
}
