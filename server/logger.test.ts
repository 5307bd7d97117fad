// Readable lines for a person at a terminal, JSON for everything else, credentials redacted either way.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../runtime/testing/fixtures.ts';
import { createLogger, logFormat } from './logger.ts';

const tmp = tempDir('ledgerline-logger-');
afterAll(() => tmp.cleanup());

function logTo(name: string, env: NodeJS.ProcessEnv, isTTY: boolean): string {
  const path = join(tmp.dir, name);
  const fd = openSync(path, 'w');
  const log = createLogger(env, { isTTY, fd }, true);
  log.info({ url: 'http://127.0.0.1:3000', password: 'hunter2-secret', secrets: { apiKey: 'sk-123' } }, 'ledgerline listening');
  log.debug('not at info level');
  closeSync(fd);
  return readFileSync(path, 'utf8');
}

describe('server log format', () => {
  it('writes JSON lines when stdout is not a terminal', () => {
    const text = logTo('json.log', {}, false);
    const line = JSON.parse(text.trim());
    expect(line).toMatchObject({ level: 30, msg: 'ledgerline listening', url: 'http://127.0.0.1:3000', password: '[redacted]', secrets: '[redacted]' });
    expect(text).not.toContain('not at info level');
  });

  it('writes readable lines at a terminal, still redacted', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the terminal's colour codes, which start with ESC
    const text = logTo('pretty.log', { LOG_LEVEL: 'debug' }, true).replace(/\x1b\[[0-9;]*m/g, '');
    expect(() => JSON.parse(text.split('\n')[0]!)).toThrow();
    expect(text).toMatch(/INFO.*ledgerline listening/);
    expect(text).toMatch(/url: "http:\/\/127\.0\.0\.1:3000"/);
    expect(text).toContain('not at info level');
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('sk-123');
  });

  it('LOG_FORMAT overrides the guess, and a wrong value says what is allowed', () => {
    expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormat({ LOG_FORMAT: 'xml' }, false)).toThrow('LOG_FORMAT must be json or pretty, not "xml"');
  });
});
