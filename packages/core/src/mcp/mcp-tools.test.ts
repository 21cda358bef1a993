import { describe, expect, it } from 'vitest';
import { checkMcpServer, mcpSecrets } from './mcp-server.ts';
import { mcpResultText, mcpToolSpecs } from './mcp-tools.ts';

const objectSchema = { type: 'object' as const, properties: { id: { type: 'string' } } };

describe('MCP tools as an agent offers them', () => {
  it('filters, prefixes, gates, and leaves out what a model API would refuse', () => {
    const server = checkMcpServer('desk', { name: 'orders', url: 'http://127.0.0.1:1/mcp', exclude: ['drop_all'], prefix: 'orders_', needsApproval: ['refund'] });
    const { tools, skipped } = mcpToolSpecs(server, [
      { name: 'lookup', description: 'Looks up.', inputSchema: objectSchema },
      { name: 'refund', inputSchema: objectSchema },
      { name: 'drop_all', inputSchema: objectSchema },
      { name: 'has space', inputSchema: objectSchema },
      { name: 'huge', inputSchema: { type: 'object', properties: { x: { description: 'x'.repeat(20_000) } } } },
    ]);
    expect(tools.map((tool) => (tool.kind === 'function' ? { name: tool.name, mcp: tool.mcp, approval: tool.approval } : tool))).toEqual([
      { name: 'orders_lookup', mcp: { server: 'orders', tool: 'lookup' }, approval: undefined },
      { name: 'orders_refund', mcp: { server: 'orders', tool: 'refund' }, approval: 'always' },
    ]);
    expect(tools[1]!.description).toBe("The 'refund' tool of the orders MCP server.");
    expect(skipped).toEqual(['"has space": not a name model APIs accept', "'huge': its input schema is not an object schema of at most 16,000 bytes"]);
  });

  it('turns a result into text: text parts, other content named, else the structured result', () => {
    expect(mcpResultText({ content: [{ type: 'text', text: 'a' }, { type: 'image', data: 'AAAA', mimeType: 'image/png' }, { type: 'resource_link', uri: 'file:///r', name: 'r' }] })).toBe(
      'a\n[image: image/png, 3 bytes, not shown]\n[resource file:///r (r)]',
    );
    expect(mcpResultText({ content: [], structuredContent: { ok: true } })).toBe('{"ok":true}');
  });

  it('refuses a server defined both ways, and knows the secrets to keep out of errors', () => {
    expect(() => checkMcpServer('desk', { name: 'x', command: 'node', url: 'http://a' } as never)).toThrow("MCP server 'x' needs either a command (stdio) or a url (streamable HTTP), not both.");
    const server = checkMcpServer('desk', { name: 'x', url: 'http://a', headers: { Authorization: 'Bearer abcdef123456' } });
    expect(mcpSecrets(server)).toEqual(['Bearer abcdef123456', 'abcdef123456']);
  });
});
