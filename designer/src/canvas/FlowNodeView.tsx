import { memo } from 'react';
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import type { FlowNode } from '../api/types.ts';
import { useFlowStore } from '../store/context.tsx';
import { errorText } from '../runs/StepDetails.tsx';
import { nodeRunStatus } from '../runs/node-run-status.ts';

export type CanvasNode = Node<{ node: FlowNode }, 'flowNode'>;

const portTop = (i: number, n: number) => `${((i + 1) / (n + 1)) * 100}%`;

function FlowNodeViewImpl({ id, data, selected }: NodeProps<CanvasNode>) {
  const { node } = data;
  const info = useFlowStore((s) => s.types[node.type]);
  // Strings, not arrays: a zustand selector must return a stable value or the node re-renders forever.
  const problemText = useFlowStore((s) =>
    s.problems
      .filter((p) => p.where === id)
      .map((p) => p.message)
      .join('\n'),
  );
  const stepStatus = useFlowStore((s) => nodeRunStatus(s.testRun, id));
  const stepError = useFlowStore((s) => (stepStatus === 'failed' ? errorText(s.testRun?.steps.findLast((st) => st.nodeId === id)?.error) : ''));
  const diffMark = useFlowStore((s) => s.diffMarks?.[id] ?? '');
  const inputs = info?.inputs ?? [];
  const outputs = info?.outputs ?? [];
  const problemCount = problemText ? problemText.split('\n').length : 0;
  const classes = [
    'll-node',
    `cat-${info?.category ?? 'unknown'}`,
    outputs.length > 1 ? 'multi-out' : '',
    selected ? 'selected' : '',
    problemCount ? 'has-problems' : '',
    stepStatus ? `run-${stepStatus}` : '',
    diffMark ? `diff-${diffMark}` : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <div className={classes} data-testid={`node-${id}`} title={problemText || info?.description}>
      {inputs.map((p, i) => (
        <Handle key={p.id} type="target" position={Position.Left} id={p.id} style={{ top: portTop(i, inputs.length) }} data-port={`in:${p.id}`} />
      ))}
      <div className="ll-node-head">
        <span className="ll-node-cat">{info?.category ?? '?'}</span>
        <span className="ll-node-title">{node.name ?? info?.title ?? node.type}</span>
      </div>
      <div className="ll-node-sub">
        <code>{node.id}</code>
        {info?.trigger && <span className="pill">trigger</span>}
        {stepStatus && (
          <span className={`pill status-${stepStatus}`} data-testid={`status-${id}`}>
            {stepStatus}
          </span>
        )}
        {diffMark && (
          <span className={`pill diff-${diffMark}`} data-testid={`diff-${id}`}>
            {diffMark}
          </span>
        )}
        {problemCount > 0 && (
          <span className="pill bad" data-testid={`problems-${id}`}>
            {problemCount} problem{problemCount > 1 ? 's' : ''}
          </span>
        )}
      </div>
      {(stepError || problemText) && (
        <div className="ll-node-error" data-testid={`node-error-${id}`} title={stepError || problemText}>
          {stepError || problemText.split('\n')[0]}
        </div>
      )}
      {/* Each label sits beside its own handle, in a column the title and badges keep clear of (multi-out). */}
      {outputs.length > 1 &&
        outputs.map((p, i) => (
          <span key={p.id} className="ll-node-port" style={{ top: portTop(i, outputs.length) }} data-port-label={p.id}>
            {p.title ?? p.id}
          </span>
        ))}
      {outputs.map((p, i) => (
        <Handle key={p.id} type="source" position={Position.Right} id={p.id} style={{ top: portTop(i, outputs.length) }} data-port={`out:${p.id}`} />
      ))}
    </div>
  );
}

export const FlowNodeView = memo(FlowNodeViewImpl);
