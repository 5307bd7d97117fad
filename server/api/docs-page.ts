// /api/docs: the OpenAPI document (/api/openapi.json) as a page people can read — operations grouped by tag, each
// with who may call it, its parameters, body and answers. Our own small viewer: no viewer library is installed, and
// the page must work offline. The script is a same-origin file because the CSP allows no inline script.
import type { Hono } from 'hono';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ledgerline API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f6f8; }
header { background: #15202b; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: baseline; }
header a { color: #b8c7ff; }
main { display: grid; grid-template-columns: 240px 1fr; gap: 24px; padding: 16px 24px; }
nav { position: sticky; top: 12px; align-self: start; max-height: calc(100vh - 24px); overflow: auto; }
nav a { display: block; padding: 2px 0; color: #2f6fed; text-decoration: none; }
input { width: 100%; padding: 6px 8px; border: 1px solid #dfe3e8; border-radius: 6px; margin-bottom: 8px; box-sizing: border-box; }
section h2 { margin: 18px 0 8px; text-transform: capitalize; }
details.op { background: #fff; border: 1px solid #dfe3e8; border-radius: 6px; margin-bottom: 6px; padding: 6px 10px; }
details.op summary { cursor: pointer; display: flex; gap: 10px; align-items: baseline; }
.m { font: 600 11px monospace; padding: 2px 6px; border-radius: 4px; color: #fff; min-width: 48px; text-align: center; }
.m.get { background: #2f855a; } .m.post { background: #2f6fed; } .m.put, .m.patch { background: #b7791f; } .m.delete { background: #c53030; }
.path { font-family: monospace; } .muted { color: #6b7785; } .perm { font-size: 12px; background: #eef1f4; border-radius: 999px; padding: 1px 8px; }
pre { background: #f5f6f8; padding: 8px; border-radius: 4px; overflow: auto; max-height: 320px; font-size: 12px; }
table { border-collapse: collapse; } td, th { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
</style></head>
<body><header><strong>Ledgerline API</strong><span id="version" class="muted"></span><a href="/api/openapi.json">openapi.json</a><a href="/">Back to Ledgerline</a></header>
<main><nav><input id="filter" placeholder="Filter, e.g. dry-run or lookups" aria-label="Filter operations"><div id="toc"></div></nav><div id="ops"><p class="muted">Loading the API description…</p></div></main>
<script src="/api/docs/viewer.js"></script></body></html>`;

// Plain browser JavaScript: builds the page from the document with DOM calls only (no HTML from the document is
// ever parsed, so a description cannot inject markup).
const VIEWER = `(() => {
  const el = (tag, attrs, ...kids) => { const e = document.createElement(tag); for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v); for (const k of kids) if (k != null) e.append(k); return e; };
  let doc;
  const resolve = (s) => { let x = s; for (let i = 0; x && x.$ref && i < 10; i++) x = x.$ref.split('/').slice(1).reduce((o, k) => o && o[k], doc); return x; };
  const schemaText = (s) => JSON.stringify(s, (k, v) => (v && v.$ref ? { ...resolve(v), $ref: undefined, title: v.$ref.split('/').pop() } : v), 2);
  function op(path, method, o) {
    const d = el('details', { class: 'op', 'data-op': method.toUpperCase() + ' ' + path });
    d.append(el('summary', {}, el('span', { class: 'm ' + method }, method.toUpperCase()), el('span', { class: 'path' }, path), el('span', { class: 'muted' }, o.summary || ''), o['x-permission'] ? el('span', { class: 'perm', title: 'permission' }, o['x-permission']) : null));
    if (o.description) d.append(el('p', {}, o.description));
    const params = (o.parameters || []).map(resolve);
    if (params.length) d.append(el('h4', {}, 'Parameters'), el('table', {}, ...params.map((p) => el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', { class: 'muted' }, p.in + (p.required ? ', required' : '')), el('td', {}, (p.schema && (p.schema.type || '')) + ' ' + (p.description || ''))))));
    const body = o.requestBody && resolve(o.requestBody);
    if (body && body.content) for (const [type, c] of Object.entries(body.content)) d.append(el('h4', {}, 'Body (' + type + ')'), el('pre', {}, schemaText(c.schema)));
    const res = Object.entries(o.responses || {});
    if (res.length) d.append(el('h4', {}, 'Answers'), el('table', {}, ...res.map(([code, r]) => el('tr', {}, el('td', {}, el('strong', {}, code)), el('td', {}, resolve(r).description || '')))));
    return d;
  }
  function render(filter) {
    const q = filter.trim().toLowerCase();
    const groups = new Map();
    for (const [path, item] of Object.entries(doc.paths || {})) for (const [method, o] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const text = (method + ' ' + path + ' ' + (o.summary || '') + ' ' + (o.description || '') + ' ' + (o.tags || []).join(' ')).toLowerCase();
      if (q && !text.includes(q)) continue;
      const tag = (o.tags && o.tags[0]) || 'other';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push(op(path, method, o));
    }
    const ops = document.getElementById('ops'); const toc = document.getElementById('toc');
    ops.replaceChildren(); toc.replaceChildren();
    for (const [tag, list] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
      ops.append(el('section', { id: 'tag-' + tag }, el('h2', {}, tag), ...list));
      toc.append(el('a', { href: '#tag-' + tag }, tag + ' (' + list.length + ')'));
    }
    if (!groups.size) ops.append(el('p', { class: 'muted' }, 'No operation matches.'));
  }
  fetch('/api/openapi.json', { credentials: 'same-origin', headers: { accept: 'application/json' } })
    .then((r) => { if (!r.ok) throw new Error(r.status === 401 ? 'sign in to Ledgerline first, then reload this page' : 'HTTP ' + r.status); return r.json(); })
    .then((d) => { doc = d; document.getElementById('version').textContent = 'version ' + ((d.info && d.info.version) || '') + ' · OpenAPI ' + d.openapi; render(''); document.getElementById('filter').addEventListener('input', (e) => render(e.target.value)); })
    .catch((e) => document.getElementById('ops').replaceChildren(el('p', {}, 'Could not load the API description: ' + e.message)));
})();`;

export function docsPageRoutes(app: Hono<any>): void {
  app.get('/api/docs', (c) => c.html(PAGE));
  app.get('/api/docs/viewer.js', (c) => c.body(VIEWER, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
}
