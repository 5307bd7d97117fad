import { describe, expect, it } from 'vitest';
import { publishedText } from './published-text.ts';

describe('publishedText', () => {
  it('says whether the published version runs: live on an active flow, waiting for Activate on an inactive one', () => {
    const v = { version: 2, message: 'ERP line texts' };
    expect(publishedText(v, { active: true, activeVersion: 2 })).toBe('Published version 2: ERP line texts. Live now: it runs on the next event.');
    expect(publishedText(v, { active: false, activeVersion: null })).toBe(
      'Published version 2: ERP line texts. Not live yet: the flow is inactive, so nothing runs it until it is activated (Activate).',
    );
    expect(publishedText(v, null)).toBe('Published version 2: ERP line texts');
  });
});
