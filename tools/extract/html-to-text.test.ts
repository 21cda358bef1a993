import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { DomNode } from './dom.ts';
import { htmlToText } from './html-to-text.ts';

function text(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`) as unknown as { document: { body: DomNode } };
  return htmlToText(document.body);
}

describe('htmlToText', () => {
  it('separates blocks with a blank line and collapses inline whitespace', () => {
    expect(text('<p>One\n   two <b>three</b></p><div>Four<br>five</div>')).toBe('One two three\n\nFour\nfive');
  });

  it('renders headings, nested lists and consecutive lists', () => {
    const html = '<h3>Title</h3><ul><li>one<ul><li>nested a</li><li><p>nested b</p></li></ul></li><li>two</li></ul><ol><li>first</li></ol><p>end</p>';
    expect(text(html)).toBe('### Title\n\n- one\n  - nested a\n  - nested b\n- two\n\n1. first\n\nend');
  });

  it('joins table cells and keeps preformatted text', () => {
    expect(text('<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table><pre>  x\n    y</pre>')).toBe(
      'a | b\nc | d\n\n```\n  x\n    y\n```',
    );
  });

  it('skips scripts, styles, form controls and hidden elements', () => {
    expect(text('<p>kept</p><script>no()</script><style>p{}</style><p hidden>secret</p><button>Click</button>')).toBe('kept');
  });
});
