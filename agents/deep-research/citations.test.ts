import { describe, expect, it } from 'vitest';
import { checkCitations, citationInstructions, containsQuote, formatFailures } from './citations.ts';
import type { Source } from './source-store.ts';

const source = (id: string, title: string, text: string, url?: string): Source => ({ id, title, text, fetchedAt: '2025-01-01T00:00:00.000Z', ...(url ? { url } : {}) });

const fetched = new Map<string, Source>(
  [
    source(
      'https://example.org/tides',
      'Tides explained',
      'Tides are caused mainly by the gravitational pull of the Moon. The Sun’s effect is about half as strong.\n\nSpring tides occur when the Sun and Moon align — twice a month.',
    ),
    source('corpus:notes/harbour.md', 'Harbour notes', 'The harbour was dredged in 1998 to a depth of twelve metres.\nShips of up to 40,000 tonnes\ncan now berth at the north quay.'),
  ].map((s) => [s.id, s]),
);

const sources = ['## Sources', '[1] Tides explained — https://example.org/tides', '[2] Harbour notes — corpus:notes/harbour.md'].join('\n');

describe('checkCitations', () => {
  it('verifies a report whose citations and quotes are all good, and says so at the end', () => {
    const report = [
      '# Tides and the harbour',
      '',
      'Tides are driven "mainly by the gravitational pull of the Moon" [1]. The harbour is twelve metres deep [2].',
      'Both matter for shipping [1][2].',
      '',
      sources,
    ].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toEqual([]);
    expect(result.total).toBe(4);
    expect(result.verified).toBe(4);
    expect(result.report).toBe(`${report}\n\nCitations verified: 4 of 4.`);
  });

  it('removes a number that is not listed under Sources', () => {
    const report = ['Tides follow the Moon [1]. Storm surges add a metre [3].', '', sources].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toEqual([{ citation: 3, reason: expect.stringContaining('not listed under ## Sources') }]);
    expect(result.total).toBe(2);
    expect(result.verified).toBe(1);
    expect(result.report).toContain('Storm surges add a metre.');
    expect(result.report).not.toContain('[3]');
    expect(result.report.endsWith('Citations verified: 1 of 2.')).toBe(true);
  });

  it('removes a source that was not read, from the text and from Sources', () => {
    const report = [
      'Tides follow the Moon [1][4]. Sea levels rise [4] every year.',
      '',
      sources,
      '[4] A blog — https://blog.example.com/never-read',
    ].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ citation: 4, sourceId: 'https://blog.example.com/never-read' });
    expect(result.failures[0]!.reason).toContain('not read in this research');
    expect(result.verified).toBe(1);
    expect(result.total).toBe(3);
    expect(result.report).toContain('Tides follow the Moon [1]. Sea levels rise every year.');
    expect(result.report).not.toContain('blog.example.com');
    expect(result.report).toContain('[2] Harbour notes — corpus:notes/harbour.md');
  });

  it('removes the sentence holding a misquote, and keeps the rest of the paragraph', () => {
    const report = [
      'Tides are driven by the Moon [1]. The harbour "was dredged in 2005 to twenty metres" [2]. Ships berth at the north quay [2].',
      '',
      sources,
    ].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toEqual([
      { citation: 2, reason: expect.stringContaining('not in source [2]'), quote: 'was dredged in 2005 to twenty metres', sourceId: 'corpus:notes/harbour.md' },
    ]);
    expect(result.report).toContain('Tides are driven by the Moon [1]. Ships berth at the north quay [2].');
    expect(result.report).not.toContain('dredged');
    expect(result.verified).toBe(2);
    expect(result.total).toBe(3);
  });

  it('matches curly quotes, dashes, case and quotes wrapped over lines', () => {
    const report = [
      'Astronomers note that “the Sun\'s effect is about half as strong” [1], and that spring tides occur "when the sun and moon',
      'align - twice a month" [1]. The port says "Ships of up to 40,000 tonnes can now berth" there [2].',
      '',
      sources,
    ].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toEqual([]);
    expect(result.verified).toBe(3);
  });

  it('accepts an ellipsis for omitted words, and short quotes are not checked', () => {
    const report = ['The harbour "was dredged in 1998 … twelve metres" [2]. It is "very deep" [2].', '', sources].join('\n');
    expect(checkCitations(report, fetched).failures).toEqual([]);
  });

  it('attributes a quote to the citation later in its sentence, not to one in the next sentence', () => {
    const bad = ['"The harbour is forty metres deep," the report says [2].', '', sources].join('\n');
    expect(checkCitations(bad, fetched).failures).toHaveLength(1);

    const unattributed = ['Someone said "the harbour is forty metres deep". Tides follow the Moon [1].', '', sources].join('\n');
    expect(checkCitations(unattributed, fetched).failures).toEqual([]);
  });

  it('removes a whole list item whose quote fails', () => {
    const report = ['Findings:', '', '- "Tides are caused by the wind" [1].', '- Tides follow the Moon [1].', '', sources].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toHaveLength(1);
    expect(result.report).toContain('Findings:\n\n- Tides follow the Moon [1].\n\n## Sources');
  });

  it('never reads code as citations or quotes', () => {
    const report = ['Use `values[0]` as in:', '', '```ts', 'const x = "not a checked quote at all" + list[7];', '```', '', 'Tides follow the Moon [1].', '', sources].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toEqual([]);
    expect(result.total).toBe(1);
    expect(result.report).toContain('list[7]');
  });

  it('forgives [1, 2], Markdown links and <urls> in Sources, and a URL with a trailing slash', () => {
    const report = [
      'Tides and harbours [1, 2].',
      '',
      '## Sources',
      '1. ignored line',
      '- [1] [Tides explained](https://example.org/tides/)',
      '- [2] Harbour notes <corpus:notes/harbour.md>',
    ].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toEqual([]);
    expect(result.verified).toBe(2);
    expect(result.report).toContain('Tides and harbours [1][2].');
  });

  it('is idempotent: a cleaned report checks clean and keeps one verified line', () => {
    const report = [
      'Tides follow the Moon [1][5]. The harbour "was dredged in 2005" to be safe [2]. Ships berth at the north quay [2].',
      '',
      '- "Spring tides happen weekly" [1].',
      '',
      sources,
      '[5] Unread — https://unread.example.com/',
      '',
      'Citations verified: 9 of 9.',
    ].join('\n');

    const first = checkCitations(report, fetched);
    expect(first.failures.map((failure) => failure.citation)).toEqual([1, 2, 5]);

    const second = checkCitations(first.report, fetched);
    expect(second.failures).toEqual([]);
    expect(second.report.match(/Citations verified/g)).toHaveLength(1);
    expect(second.report.endsWith(`Citations verified: ${second.verified} of ${second.total}.`)).toBe(true);
    expect(second.verified).toBe(second.total);

    expect(checkCitations(second.report, fetched).report).toBe(second.report);
  });

  it('fails every citation when there is no Sources section', () => {
    const result = checkCitations('Tides follow the Moon [1].', fetched);
    expect(result.failures).toHaveLength(1);
    expect(result.report).toBe('Tides follow the Moon.\n\nCitations verified: 0 of 1.');
  });

  it('removes a quoting sentence whose only citation was not read', () => {
    const report = ['Intro. The blog claims "sea levels fall every single year" [4]. End [1].', '', sources, '[4] Blog — https://blog.example.com/x'].join('\n');

    const result = checkCitations(report, fetched);

    expect(result.failures).toEqual([
      { citation: 4, reason: expect.stringContaining('not read'), quote: 'sea levels fall every single year', sourceId: 'https://blog.example.com/x' },
    ]);
    expect(result.report).toContain('Intro. End [1].');
  });
});

describe('formatFailures', () => {
  it('lists each failure with its number, reason and quote', () => {
    const text = formatFailures([
      { citation: 3, reason: 'Cited but not listed under ## Sources.' },
      { citation: 2, reason: 'The quoted words are not in source [2].', quote: 'was dredged in 2005' },
    ]);
    expect(text).toBe(
      [
        '2 citation problems:',
        '- [3]: Cited but not listed under ## Sources.',
        '- [2]: The quoted words are not in source [2]. Quote: "was dredged in 2005"',
      ].join('\n'),
    );
    expect(formatFailures([])).toBe('');
  });
});

describe('containsQuote', () => {
  it('normalises whitespace, quote marks, dashes and case', () => {
    expect(containsQuote('He said “stop — now” in 2019–2020.', '"STOP - now" in 2019-2020')).toBe(true);
    expect(containsQuote('one two three', 'one three two')).toBe(false);
  });
});

it('the writer instructions show the format the check reads', () => {
  expect(citationInstructions).toContain('## Sources\n[1] Title — <source id>');
});
