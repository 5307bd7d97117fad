// Code in a flow is parsed when the flow is validated or published: a typo is a problem on its node and field, found
// before the first live event runs it.
import { describe, expect, it } from 'vitest';
import { SANDBOX_CODE, validateFlow } from './validate.ts';
import { SANDBOX_CODE as NODE_API_SANDBOX_CODE } from '../runtime/node-api.ts';
import { parseSandboxCode } from '../runtime/sandbox/syntax.ts';
import { getNodeType } from '../nodes/registry.ts';
import { flow } from '../runtime/testing/fixtures.ts';

const doc = (code: string, condition: string, expr: string) =>
  flow(
    'f',
    [
      { id: 't', type: 'trigger.manual' },
      { id: 'calc', type: 'core.code', config: { code } },
      { id: 'big', type: 'core.branch', config: { condition } },
      { id: 'map', type: 'core.map', config: { fields: [{ target: 'ref', source: { kind: 'expr', expr } }] } },
    ],
    ['t->calc', 'calc->big', 'big:true->map'],
  );

describe('code parsed at validation', () => {
  it('finds each field that does not parse, by node and field path, with the message the sandbox would give', () => {
    expect(NODE_API_SANDBOX_CODE).toBe(SANDBOX_CODE);
    const r = validateFlow(doc('return { total: input.total ', 'input.total >', '"SO-" + input.name.slice(1'), getNodeType, { codeSyntax: parseSandboxCode });
    expect(r.problems).toEqual([
      { where: 'calc', path: '$.nodes[1].config.code', message: "SyntaxError: Unexpected token ')' (the code ends before it is complete) (line 1, column 29)" },
      {
        where: 'big',
        path: '$.nodes[2].config.condition',
        message: "SyntaxError: Unexpected token ')' (the code ends before it is complete) (line 1, column 14)",
      },
      { where: 'map', path: '$.nodes[3].config.fields[0].source.expr', message: expect.stringMatching(/^SyntaxError: /) },
    ]);
  });

  it("parses a node's idempotency key expression too", () => {
    const d = doc('return 1', 'true', '1');
    (d.nodes[1] as { idempotencyKey?: string }).idempotencyKey = 'trigger.order.id +';
    expect(validateFlow(d, getNodeType, { codeSyntax: parseSandboxCode }).problems).toEqual([
      { where: 'calc', path: '$.nodes[1].idempotencyKey', message: expect.stringMatching(/^SyntaxError: .*\(the code ends before it is complete\)/) },
    ]);
    (d.nodes[1] as { idempotencyKey?: string }).idempotencyKey = 'trigger.order.id';
    expect(validateFlow(d, getNodeType, { codeSyntax: parseSandboxCode }).problems).toEqual([]);
  });

  it('passes code that parses, and leaves parsing out when the host gives no parser', () => {
    const good = doc('return { total: input.total }', 'input.total > 100', '"SO-" + input.name.slice(1)');
    expect(validateFlow(good, getNodeType, { codeSyntax: parseSandboxCode }).problems).toEqual([]);
    expect(validateFlow(doc('return {', 'x >', 'y ('), getNodeType).problems).toEqual([]);
  });
});
