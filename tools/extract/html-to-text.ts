import { type DomNode, ELEMENT_NODE, TEXT_NODE } from './dom.ts';

/** Elements whose content is never text a reader sees. */
const skipped = new Set([
  'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'CANVAS', 'IFRAME', 'OBJECT', 'EMBED',
  'HEAD', 'BUTTON', 'SELECT', 'INPUT', 'TEXTAREA', 'MATH',
]);

/** Elements that start and end a block of text. */
const blocks = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'BODY', 'CAPTION', 'DD', 'DETAILS', 'DIALOG', 'DIV', 'DL', 'DT',
  'FIELDSET', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM', 'HEADER', 'HR', 'HTML', 'LEGEND', 'MAIN', 'NAV', 'OL', 'P',
  'SECTION', 'SUMMARY', 'TABLE', 'TBODY', 'TFOOT', 'THEAD', 'UL',
]);

interface Block {
  text: string;
  /** List items and table rows follow each other without a blank line. */
  tight: boolean;
  /** The first block after a list or a table that ended: always after a blank line. */
  after?: boolean;
}

/**
 * Renders a DOM subtree as plain text with light Markdown structure: blocks are
 * separated by blank lines, headings start with `#`, list items with `- ` or
 * `1. `, table cells are joined by ` | `, and `<pre>` keeps its whitespace.
 * Inline whitespace is collapsed the way a browser renders it.
 */
export function htmlToText(root: DomNode): string {
  const out: Block[] = [];
  let line = '';
  let prefix = '';

  const flush = (tight = false): void => {
    const text = line
      .split('\n')
      .map((part) => part.replace(/[ \t\f\v\u00a0\u200b]+/g, ' ').trim())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    line = '';
    if (text === '') return; // keep a pending list marker or heading prefix for the text to come
    out.push({ text: prefix + text, tight: tight || lists.length > 0, after: groupEnded });
    prefix = '';
    groupEnded = false;
  };
  /** Set when a list or table ends, so that the next one does not run into it. */
  let groupEnded = false;

  const walkChildren = (node: DomNode): void => {
    // linkedom builds `childNodes` afresh on every read: read it once, or the walk turns quadratic.
    const children = Array.from(node.childNodes);
    for (const child of children) walk(child);
  };

  const walk = (node: DomNode): void => {
    if (node.nodeType === TEXT_NODE) {
      line += (node.textContent ?? '').replace(/\s+/g, ' ');
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const name = node.nodeName.toUpperCase();
    if (skipped.has(name) || (node.getAttribute?.('hidden') ?? null) !== null) return;

    if (name === 'BR') {
      line += '\n';
    } else if (/^H[1-6]$/.test(name)) {
      flush();
      prefix = `${'#'.repeat(Number(name[1]))} `;
      walkChildren(node);
      flush();
      prefix = '';
    } else if (name === 'PRE') {
      flush();
      const code = (node.textContent ?? '').replace(/\s+$/, '').replace(/^\n/, '');
      if (code.trim() !== '') out.push({ text: '```\n' + code + '\n```', tight: false });
    } else if (name === 'UL' || name === 'OL') {
      flush(lists.length > 0);
      lists.push(name === 'OL');
      walkChildren(node);
      lists.pop();
      flush(lists.length > 0);
      if (lists.length === 0) groupEnded = true;
    } else if (name === 'LI') {
      flush(true);
      prefix = `${'  '.repeat(Math.max(0, lists.length - 1))}${lists[lists.length - 1] ? '1. ' : '- '}`;
      walkChildren(node);
      flush(true);
      prefix = '';
    } else if (name === 'TR') {
      flush(true);
      walkChildren(node);
      flush(true);
    } else if (name === 'TD' || name === 'TH') {
      if (line.trim() !== '') line += ' | ';
      walkChildren(node);
    } else if (name === 'TABLE') {
      flush();
      walkChildren(node);
      flush();
      groupEnded = true;
    } else if (blocks.has(name)) {
      flush();
      walkChildren(node);
      flush();
    } else {
      walkChildren(node);
    }
  };

  /** For each open list, whether it is ordered. */
  const lists: boolean[] = [];

  walk(root);
  flush();

  let text = '';
  for (let i = 0; i < out.length; i++) {
    const block = out[i]!;
    if (i > 0) text += block.tight && !block.after && out[i - 1]!.tight ? '\n' : '\n\n';
    text += block.text;
  }
  return text;
}
