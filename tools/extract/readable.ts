import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { DomDocument, DomNode } from './dom.ts';
import { htmlToText } from './html-to-text.ts';

export interface ReadableText {
  title: string;
  /** The main content as plain text with light Markdown structure (see `htmlToText`). */
  text: string;
  byline?: string;
  /** The page's language, when it declares one. */
  lang?: string;
  publishedTime?: string;
}

/** Never content: removed before Readability looks at the page. */
const neverContent = 'script, style, noscript, template, nav, [role="navigation"]';

/** Removed before the fallback extraction, when Readability finds no article. */
const boilerplate = 'script, style, noscript, template, nav, header, footer, aside, form, dialog, [role="navigation"], [role="banner"], [role="contentinfo"], [aria-hidden="true"]';

/**
 * Extracts the readable part of an HTML page: Mozilla's Readability (the engine
 * of Firefox's reader view) picks the article and drops navigation, ads and
 * footers; the result is rendered as text. Pages Readability cannot make sense
 * of fall back to the body text without navigation, headers and footers.
 */
export function extractReadable(html: string): ReadableText {
  const document = parse(html);
  removeAll(document, neverContent);
  const pageTitle = clean(document.querySelector('title')?.textContent) || clean(document.querySelector('h1')?.textContent);
  const lang = clean(document.documentElement?.getAttribute?.('lang')) || undefined;

  let article: ReturnType<Readability<DomNode>['parse']> = null;
  try {
    // Readability mutates the document it reads; the fallback below parses afresh.
    article = new Readability<DomNode>(document as never, { serializer: (node) => node as unknown as DomNode }).parse();
  } catch {
    article = null;
  }
  const articleText = article?.content ? htmlToText(article.content) : '';
  if (article && articleText !== '') {
    return {
      title: clean(article.title) || pageTitle,
      text: articleText,
      byline: clean(article.byline) || undefined,
      lang: clean(article.lang) || lang,
      publishedTime: clean(article.publishedTime) || undefined,
    };
  }

  const fresh = parse(html);
  removeAll(fresh, boilerplate);
  const root = fresh.body ?? fresh.documentElement;
  return { title: pageTitle, text: root ? htmlToText(root) : '', lang };
}

function parse(html: string): DomDocument {
  // linkedom needs a root element to build a full document from a fragment.
  const source = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><head></head><body>${html}</body></html>`;
  return (parseHTML(source) as unknown as { document: DomDocument }).document;
}

function removeAll(document: DomDocument, selector: string): void {
  const found = document.querySelectorAll(selector);
  for (let i = 0; i < found.length; i++) found[i]!.remove();
}

function clean(value: string | null | undefined): string {
  return (value ?? '').replace(/\s+/g, ' ').trim();
}
