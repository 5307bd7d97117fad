// Designer performance in headless Chromium against the real server: first load of a 300-node flow and the frame
// rate while dragging a node. Run: npx tsx designer/bench/perf.ts  (figures go to bench/README.md, Designer section).
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiAs, buildDesigner, DIST, startBackend } from '../e2e/backend.ts';
import { center, launchBrowser, shot } from '../e2e/browser.ts';

const N = 300;
const COLS = 15;

function bigFlow() {
  const nodes = [{ id: 'hook', type: 'trigger.webhook', name: 'Webhook', position: { x: 0, y: 0 }, config: {} }];
  const edges = [];
  for (let i = 1; i < N; i++) {
    const id = `step_${i}`;
    nodes.push({
      id,
      type: 'core.code',
      name: `Step ${i}`,
      position: { x: (i % COLS) * 300, y: Math.floor(i / COLS) * 120 },
      config: { code: `return { ...input, s${i}: ${i} };` },
    } as never);
    const prev = i === 1 ? 'hook' : `step_${i - 1}`;
    edges.push({ id: `${prev}.out__${id}.in`, source: prev, target: id, sourceHandle: 'out', targetHandle: 'in' });
  }
  return { schemaVersion: 1, id: 'big', name: 'Three hundred nodes', nodes, edges };
}

await buildDesigner();
const bundle = readdirSync(join(DIST, 'assets')).map((f) => ({ f, kb: statSync(join(DIST, 'assets', f)).size / 1024 }));
const backend = await startBackend();
const browser = await launchBrowser();
try {
  const admin = await apiAs(backend.baseUrl, backend.adminEmail, backend.adminPassword);
  await admin('POST', '/api/flows', bigFlow());
  const page = await browser.newPage({ viewport: { width: 1400, height: 880 } });
  const login = await fetch(`${backend.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: backend.adminEmail, password: backend.adminPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  await page.goto(`${backend.baseUrl}/login`);
  await page.evaluate((t) => localStorage.setItem('ll_token', t), token);

  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await page.goto(`${backend.baseUrl}/flows/big`);
    await page.waitForSelector('[data-testid=node-hook]');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length > 20);
    loads.push(Date.now() - t0);
  }
  const rendered = await page.locator('.react-flow__node').count();
  await shot(page, 'perf-300-nodes');

  // Frame timing during a 2 s drag, measured in the page.
  // A string, not a function: tsx's name-keeping helper does not exist inside the page.
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    const tick = (t) => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const from = await center(page, '[data-testid=node-hook] .ll-node-title');
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  const moves = 120;
  for (let i = 1; i <= moves; i++) {
    await page.mouse.move(from.x + i * 2, from.y + Math.sin(i / 10) * 60);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  const frames = (await page.evaluate('(() => { window.__stop = true; return window.__frames; })()')) as number[];
  if (frames.length < 2) throw new Error(`only ${frames.length} animation frame(s) recorded during the drag; cannot measure it`);
  const gaps = frames
    .slice(1)
    .map((t, i) => t - frames[i]!)
    .sort((a, b) => a - b);
  const seconds = (frames[frames.length - 1]! - frames[0]!) / 1000;
  const fps = (frames.length - 1) / seconds;
  const p95 = gaps[Math.floor(gaps.length * 0.95)]!;
  const moved = await page.locator('[data-testid=node-hook]').boundingBox();

  const sorted = [...loads].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        nodes: N,
        firstLoadMs: loads[0],
        loadMedianMs: sorted[2],
        loadsMs: loads,
        renderedNodes: rendered,
        drag: { frames: frames.length, seconds: +seconds.toFixed(2), fps: +fps.toFixed(1), p95FrameMs: +p95.toFixed(1), movedTo: moved },
        bundleKb: Object.fromEntries(bundle.map((b) => [b.f, +b.kb.toFixed(1)])),
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await backend.stop();
}
