// What publishing did, in words: a version published on an inactive flow runs on nothing until it is activated, and
// "Published" alone read as live.
import type { FlowSummary } from '../api/types.ts';

export function publishedText(v: { version: number; message: string }, flow: Pick<FlowSummary, 'active' | 'activeVersion'> | null): string {
  const head = `Published version ${v.version}: ${v.message}`;
  if (!flow) return head;
  if (flow.active && flow.activeVersion === v.version) return `${head}. Live now: it runs on the next event.`;
  return `${head}. Not live yet: the flow is inactive, so nothing runs it until it is activated (Activate).`;
}
