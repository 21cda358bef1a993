import { describe, expect, it } from 'vitest';
import { contentKind, decodeText, describeMediaType, parseContentType, sniffContentKind, sniffHtmlCharset } from './content-type.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('content types', () => {
  it('parses the media type and charset', () => {
    expect(parseContentType('Text/HTML; Charset="ISO-8859-1"')).toEqual({ mediaType: 'text/html', charset: 'iso-8859-1' });
    expect(parseContentType('text/plain')).toEqual({ mediaType: 'text/plain' });
    expect(parseContentType(null)).toEqual({ mediaType: '' });
  });

  it('maps media types to how they are read', () => {
    expect(contentKind('text/html')).toBe('html');
    expect(contentKind('application/xhtml+xml')).toBe('html');
    expect(contentKind('text/markdown')).toBe('markdown');
    expect(contentKind('text/x-markdown')).toBe('markdown');
    expect(contentKind('text/plain')).toBe('text');
    expect(contentKind('text/csv')).toBe('text');
    expect(contentKind('application/json')).toBe('text');
    for (const type of ['application/pdf', 'image/png', 'application/octet-stream', 'application/zip']) expect(contentKind(type)).toBeUndefined();
  });

  it('sniffs HTML, text and binary bodies', () => {
    expect(sniffContentKind(bytes('  <!DOCTYPE html><html>'))).toBe('html');
    expect(sniffContentKind(bytes('just words'))).toBe('text');
    expect(sniffContentKind(new Uint8Array([0x25, 0x50, 0, 1]))).toBeUndefined();
  });

  it('finds a meta charset and decodes with it, falling back to UTF-8', () => {
    expect(sniffHtmlCharset(bytes('<head><meta charset="Shift_JIS">'))).toBe('shift_jis');
    expect(sniffHtmlCharset(bytes('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'))).toBe('windows-1251');
    expect(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'iso-8859-1')).toBe('café');
    expect(decodeText(bytes('ok'), 'no-such-charset')).toBe('ok');
  });

  it('describes what could not be read', () => {
    expect(describeMediaType('application/pdf')).toBe('a PDF document');
    expect(describeMediaType('image/webp')).toBe('an image (image/webp)');
  });
});
