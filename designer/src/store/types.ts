// The shape of one open flow's store, composed from four slices (flow, selection, run, canvas).
import type { Flow, FlowEdge, FlowNode, NodeTypeInfo, Problem, RunStep } from '../api/types.ts';
import type { ConnectRequest, ConnectVerdict } from './graph-rules.ts';
import type { DiffMark } from '../versions/diff-marks.ts';
import type { TestInput, TestRunRecord } from '../api/test-runs.ts';

export interface Graph {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export interface FlowSlice {
  flow: Flow;
  types: Record<string, NodeTypeInfo>;
  /** Bumped on every change of the document; autosave watches it. */
  revision: number;
  past: Graph[];
  future: Graph[];
  readOnly: boolean;
  setTypes(types: NodeTypeInfo[]): void;
  loadFlow(flow: Flow): void;
  addNode(type: string, position: { x: number; y: number }): string;
  connect(req: ConnectRequest): ConnectVerdict;
  /** `coalesceKey` (e.g. the field being typed into) merges quick successive edits into one undo step. */
  updateConfig(nodeId: string, config: Record<string, unknown>, coalesceKey?: string): void;
  renameNode(nodeId: string, name: string): void;
  /** The flow's own name and description (saved with the draft; not an undo step of the graph). */
  setDetails(details: { name?: string; description?: string }): void;
  /** Moves nodes. `record` takes an undo snapshot first (once per gesture, not per mouse move). */
  moveNodes(positions: Record<string, { x: number; y: number }>, record?: boolean): void;
  deleteNodes(ids: string[]): void;
  deleteEdges(ids: string[]): void;
  deleteSelection(): void;
  undo(): void;
  redo(): void;
  copySelection(): number;
  paste(offset?: { x: number; y: number }): string[];
  autoLayout(): void;
}

export interface SelectionSlice {
  selectedNodeIds: string[];
  selectedEdgeIds: string[];
  select(nodeIds: string[], edgeIds?: string[]): void;
  clearSelection(): void;
}

export interface RunSlice {
  testRun: TestRunRecord | null;
  /** What the next test run starts from (the trigger's sample unless the person chose another input). */
  testInput: TestInput;
  /** How the chosen input is shown ("Trigger sample", "Pasted event", "Run run_…", "Order #1001"). */
  testInputLabel: string;
  setTestInput(input: TestInput, label: string): void;
  testRunning: boolean;
  /** The node whose step (input/output/error) is shown. */
  inspectedStepNodeId: string | null;
  setTestRun(run: TestRunRecord | null): void;
  setTestRunning(running: boolean): void;
  inspectStep(nodeId: string | null): void;
  stepOf(nodeId: string): RunStep | undefined;
}

export type SaveState = 'saved' | 'dirty' | 'saving' | 'error';

export interface CanvasSlice {
  problems: Problem[];
  validatedRevision: number | null;
  saveState: SaveState;
  saveError: string | null;
  /** The last refused action and why (shown as a notice). */
  notice: { message: string; seq: number } | null;
  /** A request for the canvas to center on a node (problem list click). */
  focus: { nodeId: string; seq: number } | null;
  clipboard: Graph | null;
  /** Nodes outlined on the canvas while a version diff is open (added/changed), by node id. */
  diffMarks: Record<string, DiffMark> | null;
  setDiffMarks(marks: Record<string, DiffMark> | null): void;
  setProblems(problems: Problem[], revision: number): void;
  setSaveState(state: SaveState, error?: string | null): void;
  notify(message: string): void;
  focusNode(nodeId: string): void;
}

export type FlowStoreState = FlowSlice & SelectionSlice & RunSlice & CanvasSlice;
