// Every node type Ledgerline knows. Adding a type: write its file in its system's folder, list it in that index.
import type { NodeType } from '../runtime/node-api.ts';
import { coreNodes } from './core/index.ts';
import { erpNodes } from './erp/index.ts';
import { financeNodes } from './finance/index.ts';
import { lookupNodes } from './lookup/index.ts';
import { shopifyNodes } from './shopify/index.ts';
import { monitorNodes } from './monitor/index.ts';

export const nodeTypes: NodeType[] = [...coreNodes, ...lookupNodes, ...erpNodes, ...shopifyNodes, ...financeNodes, ...monitorNodes];

const byType = new Map(nodeTypes.map((t) => [t.type, t]));
if (byType.size !== nodeTypes.length) throw new Error('two node types share a type id');

export const getNodeType = (type: string): NodeType | undefined => byType.get(type);
