// A loopback stand-in for a language-model endpoint, for tests: it speaks the published HTTP contracts the AI SDK
// uses — OpenAI chat completions (POST {base}/chat/completions, answer in choices[0].message.content, errors as
// {error:{message,type}}) and Anthropic messages (POST {base}/messages, a structured answer as a `tool_use` block of
// the requested tool, errors as {type:"error",error:{type,message}}) — and records every request as received (raw
// body and headers), so tests can assert what left the process. No model runs: the "answer" re-ranks the candidates
// it was sent by a fixed rule (last first), which tests can tell apart from the offline order; asked to explain an
// exception (explain.ts), it answers with the offline explanation it was sent behind a "Loopback explanation" prefix.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LoopbackMode = 'ok' | 'invent' | 'malformed' | 'wrong-shape' | 'slow' | 'error' | 'unauthorized';

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LoopbackProvider {
  url: string;
  mode: LoopbackMode;
  /** For `slow`: how long to wait before answering. */
  delayMs: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

type Candidates = Array<{ target: string; candidates: Array<{ path: string }> }>;

/** The targets the prompt carried (rerank.ts puts them as one JSON line after a marker). */
function targetsIn(prompt: string): Candidates {
  const m = /Targets and candidates \(JSON\):\n(.*)\n/.exec(prompt);
  if (!m) return [];
  try {
    return JSON.parse(m[1]!) as Candidates;
  } catch {
    return [];
  }
}

/** The facts of a triage explanation prompt (explain.ts puts them as one JSON line after a marker), or null. */
function triageIn(prompt: string): { category?: string; explanation?: string } | null {
  const m = /Exception triage \(JSON\):\n(.*)\n/.exec(prompt);
  if (!m) return null;
  try {
    return JSON.parse(m[1]!) as { category?: string; explanation?: string };
  } catch {
    return null;
  }
}

function answerFor(prompt: string, mode: LoopbackMode): unknown {
  const triage = triageIn(prompt);
  if (triage) {
    if (mode === 'wrong-shape') return { text: triage.explanation };
    return { explanation: `Loopback explanation (${triage.category ?? '?'}): ${triage.explanation ?? ''}` };
  }
  const targets = targetsIn(prompt)
    .map((t) => ({
      target: t.target,
      ranked: [
        ...(mode === 'invent' ? [{ path: 'order.customer.passwordHash', why: 'made up' }] : []),
        ...[...t.candidates].reverse().map((c, i) => ({ path: c.path, why: i === 0 ? `loopback rule: last candidate first for ${t.target}` : 'next' })),
      ],
    }))
    .filter((t) => t.ranked.length);
  if (mode === 'wrong-shape') return { targets: targets.map((t) => ({ target: t.target, ranked: 'first' })) };
  return { targets };
}

function promptOf(body: any): string {
  const msgs: any[] = body?.messages ?? [];
  const last = msgs[msgs.length - 1];
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) return last.content.map((p: any) => p.text ?? '').join('');
  return '';
}

export async function startLoopbackProvider(): Promise<LoopbackProvider> {
  const state: Omit<LoopbackProvider, 'url' | 'close'> = { mode: 'ok', delayMs: 0, requests: [] };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      state.requests.push({ path: req.url ?? '', headers: req.headers, body: raw });
      const anthropic = (req.url ?? '').endsWith('/messages');
      const openai = (req.url ?? '').endsWith('/chat/completions');
      const send = (status: number, body: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || (!anthropic && !openai))
        return send(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
      }
      const mode = state.mode;
      if (mode === 'error')
        return send(
          500,
          anthropic
            ? { type: 'error', error: { type: 'api_error', message: 'Internal server error' } }
            : { error: { message: 'The server had an error while processing your request.', type: 'server_error' } },
        );
      if (mode === 'unauthorized')
        return send(
          401,
          anthropic
            ? { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }
            : { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } },
        );
      const answer = answerFor(promptOf(body), mode);
      const reply = () => {
        if (anthropic) {
          // Structured output comes back as the forced tool's call (older models) or, with `output_config.format`
          // (structured outputs), as a text block holding the JSON.
          const tool = body.tools?.[0]?.name as string | undefined;
          const content =
            mode === 'malformed'
              ? [{ type: 'text', text: 'I am sorry, I cannot rank these: {"targets": [' }]
              : tool
                ? [{ type: 'tool_use', id: 'toolu_loopback_1', name: tool, input: answer }]
                : [{ type: 'text', text: JSON.stringify(answer) }];
          return send(200, {
            id: 'msg_loopback_1',
            type: 'message',
            role: 'assistant',
            model: body.model,
            content,
            stop_reason: mode === 'malformed' || !tool ? 'end_turn' : 'tool_use',
            stop_sequence: null,
            usage: { input_tokens: raw.length >> 2, output_tokens: 50 },
          });
        }
        const content = mode === 'malformed' ? 'Sure! Here is the ranking: {targets: [ {target: "currency", ranked' : JSON.stringify(answer);
        return send(200, {
          id: 'chatcmpl-loopback-1',
          object: 'chat.completion',
          created: 1764800000,
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: raw.length >> 2, completion_tokens: 50, total_tokens: (raw.length >> 2) + 50 },
        });
      };
      if (mode === 'slow') setTimeout(reply, state.delayMs).unref();
      else reply();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const p = state as LoopbackProvider;
  p.url = `http://127.0.0.1:${port}/v1`;
  p.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return p;
}
