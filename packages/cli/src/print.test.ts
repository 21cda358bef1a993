import { describe, expect, it } from 'vitest';
import { terminalSafe } from './print.ts';

describe('terminalSafe', () => {
  it('drops escape sequences and control characters a model or a signal could send', () => {
    expect(terminalSafe('Approve?\u001b[2J\u001b[1;1H all clear')).toBe('Approve? all clear');
    expect(terminalSafe('\u001b]0;pwned\u0007title')).toBe('title');
    expect(terminalSafe('bell\u0007 and \u009b31m C1')).toBe('bell and 31m C1');
  });

  it('keeps line breaks, tabs and every printable character', () => {
    expect(terminalSafe('line one\n\tline two — ünïcode ✓')).toBe('line one\n\tline two — ünïcode ✓');
  });
});
