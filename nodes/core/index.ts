import type { NodeType } from '../../runtime/node-api.ts';
import { manualTrigger } from './trigger-manual.ts';
import { scheduleTrigger } from './trigger-schedule.ts';
import { webhookTrigger } from './trigger-webhook.ts';
import { codeNode } from './code.ts';
import { branchNode } from './branch.ts';
import { mapNode } from './map.ts';

export const coreNodes: NodeType[] = [manualTrigger, scheduleTrigger, webhookTrigger, codeNode, branchNode, mapNode];
