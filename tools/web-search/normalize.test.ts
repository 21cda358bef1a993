import { describe, expect, it } from 'vitest';
import { clampResults, cleanText, decodeEntities, endpoint, httpUrl, toIsoDate, toResults } from './normalize.ts';

describe('search result normalisation', () => {
  it('turns HTML snippets into one line of plain text', () => {
    expect(cleanText('The <strong>Temporal</strong> &amp; durable\n  execution &#8212; &#x2019;s &hellip;')).toBe('The Temporal & durable execution — ’s …');
    expect(cleanText(undefined)).toBe('');
    expect(cleanText(42)).toBe('');
  });

  it('bounds long snippets at a word', () => {
    const snippet = cleanText('word '.repeat(200), 50);
    expect(snippet.length).toBeLessThanOrEqual(51);
    expect(snippet).toMatch(/word…$/);
  });

  it('leaves unknown entities alone', () => {
    expect(decodeEntities('&unknown; &#0; &lt;')).toBe('&unknown; &#0; <');
  });

  it('reads the date forms APIs use, and rejects nonsense', () => {
    expect(toIsoDate('2024-03-05T10:00:00')).toBe('2024-03-05T10:00:00.000Z');
    expect(toIsoDate('2024-03-05T10:00:00Z')).toBe('2024-03-05T10:00:00.000Z');
    expect(toIsoDate('Tue, 05 Mar 2024 10:00:00 GMT')).toBe('2024-03-05T10:00:00.000Z');
    for (const bad of ['2 days ago', '', null, undefined, '1', {}]) expect(toIsoDate(bad)).toBeUndefined();
  });

  it('accepts only absolute http(s) URLs', () => {
    expect(httpUrl('https://example.org/a b')).toBe('https://example.org/a%20b');
    expect(httpUrl('javascript:alert(1)')).toBeUndefined();
    expect(httpUrl('/relative')).toBeUndefined();
    expect(httpUrl(undefined)).toBeUndefined();
  });

  it('builds results: skips bad items and duplicates, fills missing titles, caps the count', () => {
    const items = [
      { t: 'One', u: 'https://a.example/1', s: 'first' },
      null,
      { t: 'No URL' },
      { t: 'Dup', u: 'https://a.example/1#section', s: 'again' },
      { u: 'https://b.example/2', s: 'untitled', d: '2023-01-02' },
      { t: 'Three', u: 'https://c.example/3' },
      { t: 'Four', u: 'https://d.example/4' },
    ];
    const results = toResults(items, 3, (item) => ({ title: item.t, url: item.u, snippet: item.s, publishedAt: item.d }));
    expect(results).toEqual([
      { title: 'One', url: 'https://a.example/1', snippet: 'first' },
      { title: 'b.example', url: 'https://b.example/2', snippet: 'untitled', publishedAt: '2023-01-02T00:00:00.000Z' },
      { title: 'Three', url: 'https://c.example/3', snippet: '' },
    ]);
    expect(toResults(undefined, 5, () => ({}))).toEqual([]);
  });

  it('joins endpoints under a base URL, keeping its path', () => {
    expect(endpoint('https://host', 'search').href).toBe('https://host/search');
    expect(endpoint('https://host/searx', '/search').href).toBe('https://host/searx/search');
    expect(endpoint('http://127.0.0.1:1234/', 'res/v1/web/search').href).toBe('http://127.0.0.1:1234/res/v1/web/search');
  });

  it('clamps result counts to what the API accepts', () => {
    expect(clampResults(50, 20)).toBe(20);
    expect(clampResults(0, 20)).toBe(1);
    expect(clampResults(3.7, 20)).toBe(3);
  });
});
