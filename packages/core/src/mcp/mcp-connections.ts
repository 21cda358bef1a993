/**
 * The worker's connections to MCP servers: one per agent and server, opened on
 * first use, shared by every run the worker serves, and opened again after the
 * server went away. The SDK loads only on a worker whose agents use MCP.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { redact } from '../redact.ts';
import { defaultMcpTimeoutMs, mcpSecrets, type McpServer } from './mcp-server.ts';

/** More tools than any model can choose among: a server offering more is cut here. */
const maxListedTools = 256;
/** Connecting and listing happen while a run resolves its agent, which must finish within its minute. */
const connectTimeoutMs = 20_000;
const listTimeoutMs = 20_000;

/** The server could not be reached, or stopped answering: its calls count towards the run's breaker. */
export class McpUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'McpUnavailableError';
  }
}

export class McpConnections {
  private readonly clients = new Map<string, Promise<Client>>();

  async listTools(agent: string, server: McpServer): Promise<Tool[]> {
    return this.using(agent, server, async (client) => {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: Math.min(server.timeoutMs ?? defaultMcpTimeoutMs, listTimeoutMs) });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor && tools.length < maxListedTools);
      return tools.slice(0, maxListedTools);
    });
  }

  async callTool(agent: string, server: McpServer, tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    return this.using(agent, server, async (client) => {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout: server.timeoutMs ?? defaultMcpTimeoutMs });
      return result as CallToolResult;
    });
  }

  /** Closes every connection (stdio servers exit with it). */
  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(clients.map(async (client) => (await client).close()));
  }

  private async using<T>(agent: string, server: McpServer, work: (client: Client) => Promise<T>): Promise<T> {
    const key = `${agent}/${server.name}`;
    let client = this.clients.get(key);
    if (!client) {
      client = connect(server);
      this.clients.set(key, client);
      // A server that refused once is tried afresh next time.
      client.catch(() => this.forget(key, client!));
    }
    try {
      return await work(await client);
    } catch (error) {
      const unavailable = unreachable(error);
      if (unavailable) {
        this.forget(key, client);
        void client.then((open) => open.close()).catch(() => {});
      }
      const message = redact(`${error instanceof Error ? error.message : String(error)}`, mcpSecrets(server));
      throw unavailable ? new McpUnavailableError(`MCP server '${server.name}' is unavailable: ${message}`, { cause: error }) : new Error(message);
    }
  }

  private forget(key: string, client: Promise<Client>): void {
    if (this.clients.get(key) === client) this.clients.delete(key);
  }
}

async function connect(server: McpServer): Promise<Client> {
  const [{ Client }, transport] = await Promise.all([import('@modelcontextprotocol/sdk/client/index.js'), openTransport(server)]);
  const client = new Client({ name: 'cairn', version: '1' });
  await client.connect(transport, { timeout: connectTimeoutMs });
  return client;
}

async function openTransport(server: McpServer) {
  if (server.transport === 'stdio') {
    const { StdioClientTransport, getDefaultEnvironment } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    return new StdioClientTransport({
      command: server.command,
      args: [...(server.args ?? [])],
      // The server gets a minimal environment and its own variables, never the worker's keys.
      env: { ...getDefaultEnvironment(), ...server.env },
      ...(server.cwd ? { cwd: server.cwd } : {}),
      stderr: 'ignore',
    });
  }
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { ...server.headers } } });
}

/** Whether the error says the server is not there (not that it answered with an error). */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  // The SDK's McpError: the connection closed, or the request timed out.
  if (code === -32000 || code === -32001) return true;
  // Any other JSON-RPC error (negative) came from the server itself; an HTTP status, a refused
  // connection or a process that would not start means it is not there.
  return !(typeof code === 'number' && code < 0);
}
