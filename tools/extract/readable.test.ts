import { describe, expect, it } from 'vitest';
import { extractReadable } from './readable.ts';

const paragraph = (topic: string) =>
  `The ${topic} is described here at length, with enough words, commas, and sentences that a reader view would keep it. ` +
  `It goes on about ${topic}, again and again, so that the scoring of the content favours this block over the menus.`;

const articlePage = `<!doctype html>
<html lang="en"><head><title>Durable agents | Example News</title><meta name="author" content="Ada Lovelace"></head>
<body>
  <header><nav><a href="/">Home</a> <a href="/world">World menu</a> <a href="/sport">Sport menu</a></nav></header>
  <div class="ad banner">Sponsored: buy cheap widgets now</div>
  <main><article>
    <h1>Durable agents</h1>
    <p>${paragraph('history of workflows')}</p>
    <h2>Replays</h2>
    <p>${paragraph('replay of events')}</p>
    <ul><li>first point</li><li>second point</li></ul>
    <pre>const x = 1;
  indented();</pre>
    <table><tr><th>Name</th><th>Value</th></tr><tr><td>a</td><td>1</td></tr></table>
  </article></main>
  <aside class="sidebar">Related: celebrity gossip</aside>
  <footer>Copyright footer text</footer>
  <script>trackUser()</script>
</body></html>`;

describe('extractReadable', () => {
  it('keeps the article and drops navigation, ads, sidebars, footers and scripts', () => {
    const page = extractReadable(articlePage);
    expect(page.text).toContain('history of workflows is described here');
    expect(page.text).toContain('replay of events');
    for (const boilerplate of ['World menu', 'Sponsored', 'celebrity gossip', 'Copyright footer', 'trackUser']) {
      expect(page.text).not.toContain(boilerplate);
    }
    expect(page.title).toMatch(/Durable agents/);
    expect(page.byline).toBe('Ada Lovelace');
    expect(page.lang).toBe('en');
  });

  it('keeps structure: paragraphs, headings, lists, code and tables', () => {
    const { text } = extractReadable(articlePage);
    expect(text).toContain('## Replays');
    expect(text).toContain('- first point\n- second point');
    expect(text).toContain('```\nconst x = 1;\n  indented();\n```');
    expect(text).toContain('Name | Value\na | 1');
    expect(text).not.toMatch(/\n{3,}/);
    expect(text.replace(/```[\s\S]*?```/g, '')).not.toMatch(/ {2,}\S/);
  });

  it('reads short pages without an article, still without navigation', () => {
    const page = extractReadable('<nav>menu</nav><p>Just a line.</p><p>And a <b>bold</b> second one.</p>');
    expect(page.text).toContain('Just a line.');
    expect(page.text).toContain('And a bold second one.');
    expect(page.text).not.toContain('menu');
  });

  it('handles empty input', () => {
    expect(extractReadable('').text).toBe('');
  });
});
