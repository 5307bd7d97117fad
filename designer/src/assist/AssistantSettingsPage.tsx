// Settings → Assistant: the language model the assistant may use to re-rank and explain mapping suggestions.
// Off by default; owners and consultants set provider, URL, model and key (write-only: the page only learns whether
// one is stored); only an owner turns it on, after seeing exactly what would be sent. "Test" sends a one-field probe.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { assistantApi, type AiProvider, type AssistantPreview, type AssistantSettings } from '../api/assist.ts';
import { useSession } from '../app/session.ts';
import { SettingsTabs } from '../settings/SettingsTabs.tsx';

const PROVIDER_HELP: Record<AiProvider, string> = {
  'openai-compatible': 'OpenAI, Azure OpenAI, or a local Ollama, vLLM or llama.cpp server (the URL ends in /v1).',
  anthropic: 'Anthropic’s Messages API (leave the URL empty for Anthropic’s own).',
};

export function AssistantSettingsPage() {
  const role = useSession((s) => s.user?.role);
  const [s, setS] = useState<AssistantSettings | null>(null);
  const [form, setForm] = useState({ provider: '' as AiProvider | '', url: '', model: '', apiKey: '' });
  const [status, setStatus] = useState<{ text: string; bad?: boolean } | null>(null);
  const [preview, setPreview] = useState<(AssistantPreview & { kind: 'mapping' | 'triage' }) | null>(null);
  const showPreview = (kind: 'mapping' | 'triage') =>
    assistantApi.preview(kind).then(
      (p) => setPreview({ ...p, kind }),
      (e: Error) => setStatus({ text: e.message, bad: true }),
    );
  const [testing, setTesting] = useState(false);

  const show = useCallback((v: AssistantSettings) => {
    setS(v);
    setForm({ provider: v.provider ?? '', url: v.url ?? '', model: v.model ?? '', apiKey: '' });
  }, []);
  useEffect(() => {
    assistantApi.settings().then(show, (e: Error) => setStatus({ text: e.message, bad: true }));
  }, [show]);

  async function save(e: FormEvent) {
    e.preventDefault();
    setStatus(null);
    try {
      const v = await assistantApi.saveSettings({
        provider: form.provider || null,
        url: form.url.trim() || null,
        model: form.model.trim() || null,
        ...(form.apiKey ? { apiKey: form.apiKey } : {}),
      });
      show(v);
      setPreview(null);
      setStatus({ text: ['Saved.', ...(v.notes ?? [])].join(' ') });
    } catch (err) {
      setStatus({ text: (err as Error).message, bad: true });
    }
  }

  async function setEnabled(enabled: boolean) {
    setStatus(null);
    try {
      show(await assistantApi.saveSettings({ enabled }));
      setStatus({
        text: enabled
          ? 'The language model is on: mapping suggestions are re-ranked by it (masked data only).'
          : 'The language model is off: suggestions are offline.',
      });
    } catch (err) {
      setStatus({ text: (err as Error).message, bad: true });
    }
  }

  async function removeKey() {
    try {
      show(await assistantApi.saveSettings({ apiKey: null }));
      setStatus({ text: 'Key removed.' });
    } catch (err) {
      setStatus({ text: (err as Error).message, bad: true });
    }
  }

  async function test() {
    setTesting(true);
    setStatus(null);
    try {
      const r = await assistantApi.test();
      setStatus({ text: r.ok ? `Test passed: ${r.message}.` : `Test failed: ${r.message}.`, bad: !r.ok });
    } catch (err) {
      setStatus({ text: (err as Error).message, bad: true });
    } finally {
      setTesting(false);
    }
  }

  const from = (k: keyof AssistantSettings['from']) => (s?.from[k] === 'env' ? <span className="muted small"> (from the environment)</span> : null);
  return (
    <section className="page" data-testid="assistant-settings">
      <SettingsTabs active="assistant" />
      <h2>Assistant</h2>
      <p className="muted">
        Mapping suggestions, lookup proposals and triage work offline, on this machine. Optionally a language model re-ranks and explains the mapping
        suggestions; it sees field names, descriptions and sample values with every name, e-mail, phone and address masked, and nothing is applied without a
        person accepting it.
      </p>
      {s === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <div className={`card ${s.enabled ? 'ok' : ''}`} data-testid="assistant-state">
            <strong>{s.enabled ? 'Language model on' : 'Language model off (offline suggestions only)'}</strong>
            {s.enabled && s.enabledBy && <span className="muted"> · turned on by {s.enabledBy}</span>}
            {s.problem && <p className="error small">{s.problem}</p>}
            <div className="row">
              {role === 'owner' ? (
                <button type="button" className={s.enabled ? '' : 'primary'} onClick={() => void setEnabled(!s.enabled)} disabled={!s.enabled && !!s.problem}>
                  {s.enabled ? 'Turn off' : 'Turn on'}
                </button>
              ) : (
                <span className="muted small">Only an owner turns the model on or off.</span>
              )}
            </div>
          </div>
          <form className="form-grid" onSubmit={(e) => void save(e)} data-testid="assistant-form">
            <label>
              Provider{from('provider')}
              <select aria-label="Provider" value={form.provider} onChange={(e) => setForm({ ...form, provider: e.target.value as AiProvider | '' })}>
                <option value="">none</option>
                <option value="openai-compatible">openai-compatible</option>
                <option value="anthropic">anthropic</option>
              </select>
              {form.provider && <span className="help">{PROVIDER_HELP[form.provider]}</span>}
            </label>
            <label>
              URL{from('url')}
              <input aria-label="URL" placeholder="http://127.0.0.1:11434/v1" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} />
            </label>
            <label>
              Model{from('model')}
              <input aria-label="Model" placeholder="llama3.1:8b" value={form.model} onChange={(e) => setForm({ ...form, model: e.target.value })} />
            </label>
            <label>
              API key{' '}
              <span className="muted small">{s.keySet ? '(a key is stored in the vault; type to replace it)' : '(none stored; local servers need none)'}</span>
              <input
                aria-label="API key"
                type="password"
                autoComplete="off"
                placeholder={s.keySet ? '••••••••' : ''}
                value={form.apiKey}
                onChange={(e) => setForm({ ...form, apiKey: e.target.value })}
              />
            </label>
            <div className="row">
              <button type="submit" className="primary">
                Save
              </button>
              {s.keySet && (
                <button type="button" onClick={() => void removeKey()}>
                  Remove key
                </button>
              )}
              <button type="button" onClick={() => void test()} disabled={testing || !!s.problem}>
                {testing ? 'Testing…' : 'Test'}
              </button>
              <button type="button" onClick={() => void showPreview('mapping')} disabled={!s.provider || !s.model}>
                Show what would be sent
              </button>
              <button type="button" onClick={() => void showPreview('triage')} disabled={!s.provider || !s.model}>
                … for an exception’s explanation
              </button>
            </div>
            <p className="help">
              A model answer not received within {Math.round(s.timeoutMs / 1000)} s is abandoned (LEDGERLINE_AI_TIMEOUT_MS) and the offline suggestions are
              shown.
            </p>
          </form>
          {status && (
            <p className={status.bad ? 'error' : 'ok-text'} role="status" data-testid="assistant-status">
              {status.text}
            </p>
          )}
          {preview && (
            <div className="card" data-testid="assistant-preview">
              <strong>
                {preview.kind === 'triage' ? 'The request explaining the latest open exception' : 'The request for a sales-order mapping on the sample order'}
                {preview.url ? (
                  <>
                    {' '}
                    to <code>{preview.url}</code>
                  </>
                ) : null}
              </strong>
              <p className="help">Captured at the point of sending and not sent. The key travels only in the request header, never in the body.</p>
              {preview.error ? (
                <p className="error">{preview.error}</p>
              ) : (
                <pre className="code-block" style={{ maxHeight: 360, overflow: 'auto', whiteSpace: 'pre-wrap' }}>
                  {JSON.stringify(preview.body, null, 2)}
                </pre>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
