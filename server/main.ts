// `npm start` / `ledgerline serve`: one port for the designer, the API, webhooks, /healthz and /metrics.
import { serve as listen, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import pino from 'pino';
import { createServer, type LedgerlineServer, type ServerOptions } from './app.ts';

export interface Serving {
  url: string;
  port: number;
  server: LedgerlineServer;
  close(): Promise<void>;
}

export async function serve(opts: Partial<ServerOptions> & { port?: number; host?: string; handleSignals?: boolean } = {}): Promise<Serving> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? pino({ level: env.LOG_LEVEL ?? 'info', redact: { paths: ['password', '*.password', 'secrets', '*.secrets', 'token', '*.token', 'authorization', '*.authorization'], censor: '[redacted]' } }, pino.destination({ sync: false }));
  const started = performance.now();
  const server = await createServer({
    ...opts,
    dataDir: resolve(opts.dataDir ?? env.LEDGERLINE_DATA_DIR ?? './data'),
    env,
    log,
    onFirstAdmin:
      opts.onFirstAdmin ??
      ((a) => {
        // Printed once, to the terminal only (not the log): it is never shown again.
        if (a.generatedPassword) process.stdout.write(`\n  First admin user: ${a.email}\n  Password (shown once, change it after signing in): ${a.generatedPassword}\n\n`);
      }),
  });
  const port = opts.port ?? Number(env.PORT ?? 3000);
  const host = opts.host ?? env.HOST ?? '0.0.0.0';
  let http!: ServerType;
  const info = await new Promise<AddressInfo>((ok, fail) => {
    http = listen({ fetch: server.app.fetch, port, hostname: host }, (i) => ok(i));
    http.once('error', fail);
  });
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${info.port}`;
  server.attach(url);
  log.info({ url, dataDir: resolve(opts.dataDir ?? env.LEDGERLINE_DATA_DIR ?? './data'), sandboxMode: server.sandboxMode, startMs: Math.round(performance.now() - started) }, 'ledgerline listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down');
      await new Promise<void>((r) => {
        http.close(() => r());
        // Keep-alive connections would hold close() open; after a grace period they are cut.
        setTimeout(() => ('closeAllConnections' in http ? (http as { closeAllConnections(): void }).closeAllConnections() : undefined), 2000).unref();
      });
      await server.close();
      log.info('stopped');
      log.flush?.();
    })());

  if (opts.handleSignals !== false) {
    const onSignal = (sig: string) => {
      log.info({ signal: sig }, 'signal received');
      close().then(
        () => process.exit(0),
        (e) => {
          log.error({ err: (e as Error).message }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { url, port: info.port, server, close };
}
