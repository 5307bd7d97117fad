// One store per open mapper: the flow draft, which core.map node is being edited, its fields, the chosen sample and
// the last preview. Field edits go through the pure helpers in mapper/model; saving writes the node's config back
// into the flow document (the server checks a client changed mapping/lookup config only).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Flow, FlowNode } from '../api/types.ts';
import type { MappingPreview } from '../api/mapping.ts';
import {
  eachPathsOf,
  freshTarget,
  getField,
  insertField,
  updateField,
  type Addr,
  type FieldInput,
  type SourceInput,
  type TransformInput,
} from '../mapper/model/fields.ts';
import { relativeSourcePath } from '../mapper/model/source-tree.ts';

/** The server's answer to a mapping preview (POST /api/mapping/preview). */
export type PreviewView = MappingPreview;

export interface SampleChoice {
  /** A run id, `sample` (the trigger's example) or `example:<node>` (the upstream step's catalog example). */
  id: string;
  /** run: a production run's input to the node; test: a test run's (maybe with pinned upstream); example: no real data. */
  kind: 'run' | 'test' | 'example';
  label: string;
  value: unknown;
  /** The run's trigger output, for `$trigger.` paths (an example is its own trigger). */
  trigger?: unknown;
  status?: string;
  at?: number;
  pinned?: boolean;
}

export interface MapperState {
  flow: Flow;
  nodeId: string | null;
  fields: FieldInput[];
  selected: Addr | null;
  revision: number;
  savedRevision: number;
  sample: SampleChoice | null;
  /** The inputs the chosen node can be previewed with (null while they load). */
  inputs: SampleChoice[] | null;
  preview: PreviewView | null;
  previewError: string | null;
  /** The revision the preview (or its error) was computed for; behind `revision` while an edit is being previewed. */
  previewRevision: number;
  mapNodes(): FlowNode[];
  chooseNode(nodeId: string): void;
  select(addr: Addr | null): void;
  setSource(addr: Addr, source: SourceInput): void;
  /** A source path from the tree dropped on (or picked for) a target: made relative to enclosing lists. */
  assignPath(addr: Addr, samplePath: string): void;
  setTarget(addr: Addr, target: string): void;
  setRequired(addr: Addr, required: boolean): void;
  addTransform(addr: Addr, t: TransformInput): void;
  updateTransform(addr: Addr, index: number, t: TransformInput): void;
  removeTransform(addr: Addr, index: number): void;
  moveTransform(addr: Addr, index: number, by: -1 | 1): void;
  addField(parent: Addr | null, samplePath?: string): Addr;
  removeField(addr: Addr): void;
  /** Replaces all fields at once (accepting or undoing mapping suggestions). */
  replaceFields(fields: FieldInput[]): void;
  setSample(sample: SampleChoice | null): void;
  /** The inputs of `nodeId` arrived: kept only if that node is still the one shown. */
  setInputs(nodeId: string, inputs: SampleChoice[], chosen: SampleChoice | null): void;
  /** `revision`: the edit the answer belongs to (defaults to the current one). */
  setPreview(preview: PreviewView | null, error?: string | null, revision?: number): void;
  /** The node's config as it stands (other config keys kept). */
  config(): Record<string, unknown>;
  /** The flow document with the edited config, to PUT as the draft. */
  flowForSave(): Flow;
  markSaved(revision: number, flow?: Flow): void;
}

export type MapperStore = StoreApi<MapperState>;

/**
 * Whether the preview describes the mapping as it stands. An answer for an older edit must not be shown as the
 * verdict ("maps cleanly") on the current one: right after an edit the old preview is still on screen.
 */
export const previewIsCurrent = (s: Pick<MapperState, 'preview' | 'previewError' | 'previewRevision' | 'revision'>) =>
  (s.preview !== null || s.previewError !== null) && s.previewRevision === s.revision;

const fieldsOf = (n: FlowNode | undefined): FieldInput[] => {
  const f = (n?.config as { fields?: unknown } | undefined)?.fields;
  return Array.isArray(f) ? structuredClone(f as FieldInput[]) : [];
};

export function createMapperStore(flow: Flow, nodeId?: string): MapperStore {
  const maps = flow.nodes.filter((n) => n.type === 'core.map');
  const first = maps.find((n) => n.id === nodeId) ?? maps[0];
  return createStore<MapperState>()((set, get) => {
    const edit = (fn: (fields: FieldInput[]) => FieldInput[], extra: Partial<MapperState> = {}) =>
      set((s) => ({ fields: fn(s.fields), revision: s.revision + 1, ...extra }));
    const onField = (addr: Addr, fn: (f: FieldInput) => FieldInput | null) => edit((fs) => updateField(fs, addr, fn));
    return {
      flow,
      nodeId: first?.id ?? null,
      fields: fieldsOf(first),
      selected: null,
      revision: 0,
      savedRevision: 0,
      sample: null,
      inputs: null,
      preview: null,
      previewError: null,
      previewRevision: -1,
      mapNodes: () => get().flow.nodes.filter((n) => n.type === 'core.map'),
      chooseNode: (id) => {
        const s = get();
        // Unsaved edits of the other node go into the document first, so switching loses nothing.
        const doc = s.flowForSave();
        // Another node has another input: its samples are loaded afresh.
        set({
          flow: doc,
          nodeId: id,
          fields: fieldsOf(doc.nodes.find((n) => n.id === id)),
          selected: null,
          preview: null,
          previewError: null,
          sample: null,
          inputs: null,
        });
      },
      select: (addr) => set({ selected: addr }),
      setSource: (addr, source) => onField(addr, (f) => ({ ...f, source })),
      assignPath: (addr, samplePath) => {
        const path = relativeSourcePath(samplePath, eachPathsOf(get().fields, addr));
        onField(addr, (f) => ({ ...f, source: { kind: 'path', path } }));
        set({ selected: addr });
      },
      setTarget: (addr, target) => onField(addr, (f) => ({ ...f, target })),
      setRequired: (addr, required) =>
        onField(addr, (f) => {
          const { required: _r, ...rest } = f;
          return required ? rest : { ...rest, required: false };
        }),
      addTransform: (addr, t) => onField(addr, (f) => ({ ...f, transforms: [...(f.transforms ?? []), t] })),
      updateTransform: (addr, index, t) => onField(addr, (f) => ({ ...f, transforms: (f.transforms ?? []).map((x, i) => (i === index ? t : x)) })),
      removeTransform: (addr, index) =>
        onField(addr, (f) => {
          const transforms = (f.transforms ?? []).filter((_, i) => i !== index);
          const { transforms: _t, ...rest } = f;
          return transforms.length ? { ...rest, transforms } : rest;
        }),
      moveTransform: (addr, index, by) =>
        onField(addr, (f) => {
          const ts = [...(f.transforms ?? [])];
          const to = index + by;
          const [moving, other] = [ts[index], ts[to]];
          if (!moving || !other) return f; // either end outside the list
          [ts[index], ts[to]] = [other, moving];
          return { ...f, transforms: ts };
        }),
      addField: (parent, samplePath) => {
        const s = get();
        const siblings = parent?.length ? ((getField(s.fields, parent)?.source as { fields?: FieldInput[] } | undefined)?.fields ?? []) : s.fields;
        const last = samplePath
          ?.split(/[.[\]"]+/)
          .filter(Boolean)
          .pop();
        const base = last && /^[A-Za-z_][A-Za-z0-9_]*$/.test(last) ? last : 'field';
        const draft: FieldInput = { target: freshTarget(siblings, base), source: { kind: 'path', path: samplePath ?? '' } };
        const { fields, addr } = insertField(s.fields, parent, draft);
        if (samplePath) {
          const path = relativeSourcePath(samplePath, eachPathsOf(fields, addr));
          edit(() => updateField(fields, addr, (f) => ({ ...f, source: { kind: 'path', path } })), { selected: addr });
        } else edit(() => fields, { selected: addr });
        return addr;
      },
      removeField: (addr) => {
        onField(addr, () => null);
        set({ selected: null });
      },
      replaceFields: (fields) => edit(() => fields, { selected: null }),
      setSample: (sample) => set({ sample, preview: null, previewError: null }),
      setInputs: (nodeId, inputs, chosen) => {
        if (get().nodeId === nodeId) set({ inputs, sample: chosen, preview: null, previewError: null });
      },
      setPreview: (preview, error = null, revision = get().revision) => set({ preview, previewError: error, previewRevision: revision }),
      config: () => {
        const s = get();
        const node = s.flow.nodes.find((n) => n.id === s.nodeId);
        return { ...(node?.config ?? {}), fields: s.fields };
      },
      flowForSave: () => {
        const s = get();
        if (!s.nodeId) return s.flow;
        const config = s.config();
        return { ...s.flow, nodes: s.flow.nodes.map((n) => (n.id === s.nodeId ? { ...n, config } : n)) };
      },
      markSaved: (revision, saved) => set((s) => ({ savedRevision: Math.max(s.savedRevision, revision), ...(saved ? { flow: saved } : {}) })),
    };
  });
}
