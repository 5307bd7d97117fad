// A flow as a file: what "Export JSON" downloads and "Import JSON…" reads back, so a consultant can carry a flow from
// one Ledgerline to another (a staging workspace to the merchant's, one merchant to the next). Only the shape the
// server needs to take it is checked here; the draft's problems (a connection this install does not have, a node type
// it does not know) show in the editor's Problems panel, where they can be fixed.
import type { Flow } from '../api/types.ts';

export type FlowFile = { ok: true; flow: Flow } | { ok: false; error: string };

/** The file name an export is saved under: the flow's id, and the version when it is one. */
export const flowFileName = (id: string, version?: number) => `${id.replace(/[^A-Za-z0-9._-]+/g, '-')}${version ? `.v${version}` : ''}.json`;

/** The text of an exported flow: indented, so a diff of two exports reads line by line. */
export const flowFileText = (flow: unknown) => `${JSON.stringify(flow, null, 2)}\n`;

/** Reads a chosen file's text as a flow, or says what is wrong with it and where. */
export function readFlowFile(fileName: string, text: string): FlowFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, error: `${fileName} is not JSON: ${(e as Error).message}` };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, error: `${fileName} holds no flow: a flow is a JSON object` };
  const f = doc as Record<string, unknown>;
  if (typeof f.id !== 'string' || !f.id.trim()) return { ok: false, error: `${fileName}: the flow has no id ($.id)` };
  if (!Array.isArray(f.nodes)) return { ok: false, error: `${fileName}: flow "${f.id}" has no node list ($.nodes)` };
  if (f.edges !== undefined && !Array.isArray(f.edges)) return { ok: false, error: `${fileName}: flow "${f.id}" has edges that are not a list ($.edges)` };
  return { ok: true, flow: doc as Flow };
}
