import type { NodeType } from '../../runtime/node-api.ts';
import { taxCodeNode } from './tax-code.ts';
import { locationNode } from './location.ts';
import { tableNode } from './table.ts';

export const lookupNodes: NodeType[] = [taxCodeNode, locationNode, tableNode];
