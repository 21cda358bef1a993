/**
 * A small MCP server for tests, over stdio (`mcp-stdio-server.ts`, started by
 * the worker as a real child process) or streamable HTTP (`startMcpHttpServer`):
 * an order desk with a lookup and a refund, and a record of the calls it served.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface McpCall {
  tool: string;
  arguments: Record<string, unknown>;
}

/** The order desk's tools; each call served is passed to `onCall`. */
export function orderDeskServer(onCall: (call: McpCall) => void): McpServer {
  const server = new McpServer({ name: 'order-desk', version: '1.0.0' });
  server.registerTool(
    'lookup_order',
    { description: 'Looks up an order by its id: its state and total.', inputSchema: { id: z.string().describe('The order id, e.g. A-17') } },
    async ({ id }) => {
      onCall({ tool: 'lookup_order', arguments: { id } });
      return { content: [{ type: 'text', text: `Order ${id}: shipped, total $42.00` }] };
    },
  );
  server.registerTool(
    'refund_order',
    { description: 'Refunds an order in full.', inputSchema: { id: z.string(), reason: z.string() } },
    async ({ id, reason }) => {
      onCall({ tool: 'refund_order', arguments: { id, reason } });
      return { content: [{ type: 'text', text: `Refunded order ${id} (${reason})` }] };
    },
  );
  server.registerTool('internal_audit', { description: 'Not for agents.', inputSchema: {} }, async () => {
    onCall({ tool: 'internal_audit', arguments: {} });
    return { content: [{ type: 'text', text: 'audited' }] };
  });
  server.registerTool('fail_always', { description: 'Reports an error of its own.', inputSchema: {} }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'the order system refused' }],
  }));
  return server;
}

/** How to start the order desk over stdio: this Node, with tsx where the package runs from its sources. */
export function mcpStdioServerCommand(): { command: string; args: string[] } {
  const extension = extname(fileURLToPath(import.meta.url));
  const entry = fileURLToPath(new URL(`./mcp-stdio-server${extension}`, import.meta.url));
  return { command: process.execPath, args: extension === '.ts' ? ['--import', import.meta.resolve('tsx'), entry] : [entry] };
}

export interface McpHttpServer {
  url: string;
  calls: McpCall[];
  /** The headers of every request it was sent. */
  headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

/** The order desk over streamable HTTP (stateless: a server per request), on a free loopback port. */
export async function startMcpHttpServer(port = 0): Promise<McpHttpServer> {
  const calls: McpCall[] = [];
  const headers: McpHttpServer['headers'] = [];
  const http: Server = createServer(async (req, res) => {
    headers.push(req.headers);
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const server = orderDeskServer((call) => calls.push(call));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const { port: bound } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    calls,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
