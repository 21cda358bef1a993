/**
 * An MCP server an agent takes tools from, as the agent's author declares it.
 * What the worker needs to reach the server (command, URL, secrets) stays in
 * the worker's code; what a run records in history is `McpServerSpec`.
 */
import { InvalidDefinitionError } from '../errors.ts';

/** Whether a call of the server's tools needs a person's approval: always, for the tools named, or decided per call. */
export type McpNeedsApproval = boolean | readonly string[] | ((tool: string, args: Record<string, unknown>) => boolean | Promise<boolean>);

interface McpServerCommon {
  /** Names the server in tool errors, traces and `cairn show`: letters, digits, '_' or '-'. */
  name: string;
  /** Offer only these of its tools (by the server's names). */
  include?: readonly string[];
  /** Never offer these. */
  exclude?: readonly string[];
  /** Put before each of its tool names (`github_` → `github_create_issue`), where two servers' names clash. */
  prefix?: string;
  /** How long one call may take before it counts as a failure. Default 60 s. */
  timeoutMs?: number;
  needsApproval?: McpNeedsApproval;
  /**
   * After `failures` calls in a row that could not reach the server (each after its retries), a run
   * stops calling it and tells the model its tools are unavailable; after `resetAfterMs` one call is
   * tried again. Default 3 failures, 5 minutes.
   */
  breaker?: { failures?: number; resetAfterMs?: number };
}

/** A server the worker starts as a child process and talks to over stdio. */
export interface McpStdioServerOptions extends McpServerCommon {
  command: string;
  args?: readonly string[];
  /** Added to a minimal environment (PATH, HOME…). Never recorded in history. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

/** A server reached over streamable HTTP. */
export interface McpHttpServerOptions extends McpServerCommon {
  url: string;
  /** Sent with every request, e.g. `Authorization`. Never recorded in history. */
  headers?: Readonly<Record<string, string>>;
}

export type McpServerOptions = McpStdioServerOptions | McpHttpServerOptions;

/** A checked server definition, as the worker holds it. */
export type McpServer = (McpStdioServerOptions & { transport: 'stdio' }) | (McpHttpServerOptions & { transport: 'http' });

/**
 * What a run records of a server: enough to route calls and decide the breaker,
 * nothing that reaches it. Persisted in history: add only optional fields.
 */
export interface McpServerSpec {
  name: string;
  transport: 'stdio' | 'http';
  breaker: { failures: number; resetAfterMs: number };
  /** Why its tools are not offered in this run, when they could not be listed at its start. */
  unavailable?: string;
}

export const defaultMcpTimeoutMs = 60_000;
const defaultBreaker = { failures: 3, resetAfterMs: 5 * 60_000 };
const serverNamePattern = /^[a-zA-Z0-9_-]{1,32}$/;

export function checkMcpServer(agent: string, options: McpServerOptions): McpServer {
  const fail = (problem: string, hint?: string): never => {
    throw new InvalidDefinitionError(`Agent '${agent}': ${problem}`, hint);
  };
  if (typeof options !== 'object' || options === null) return fail('each of mcpServers must be an object with a name and a command or a url.');
  const { name } = options;
  if (typeof name !== 'string' || !serverNamePattern.test(name)) fail(`MCP server name ${JSON.stringify(name)} is not valid: use 1-32 letters, digits, '_' or '-'.`);
  const hasCommand = 'command' in options && options.command !== undefined;
  const hasUrl = 'url' in options && options.url !== undefined;
  if (hasCommand === hasUrl) fail(`MCP server '${name}' needs either a command (stdio) or a url (streamable HTTP), not ${hasCommand ? 'both' : 'neither'}.`);
  for (const list of ['include', 'exclude'] as const) {
    const names = options[list];
    if (names !== undefined && !(Array.isArray(names) && names.every((tool) => typeof tool === 'string'))) fail(`MCP server '${name}': ${list} must be a list of tool names.`);
  }
  if (options.prefix !== undefined && !/^[a-zA-Z0-9_-]{1,24}$/.test(options.prefix)) fail(`MCP server '${name}': prefix must be 1-24 letters, digits, '_' or '-'.`);
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) fail(`MCP server '${name}': timeoutMs must be a positive number of milliseconds.`);
  const { needsApproval } = options;
  if (needsApproval !== undefined && typeof needsApproval !== 'boolean' && typeof needsApproval !== 'function' && !(Array.isArray(needsApproval) && needsApproval.every((tool) => typeof tool === 'string'))) {
    fail(`MCP server '${name}': needsApproval must be true, false, a list of tool names or a function of the tool and its arguments.`);
  }
  const breaker = { ...defaultBreaker, ...options.breaker };
  if (!(Number.isInteger(breaker.failures) && breaker.failures >= 1)) fail(`MCP server '${name}': breaker.failures must be a whole number of at least 1.`);
  if (!(Number.isInteger(breaker.resetAfterMs) && breaker.resetAfterMs > 0)) fail(`MCP server '${name}': breaker.resetAfterMs must be a positive number of milliseconds.`);
  if (hasCommand) {
    const stdio = options as McpStdioServerOptions;
    if (typeof stdio.command !== 'string' || stdio.command.trim() === '') fail(`MCP server '${name}': command must name a program.`);
    if (stdio.args !== undefined && !(Array.isArray(stdio.args) && stdio.args.every((arg) => typeof arg === 'string'))) fail(`MCP server '${name}': args must be a list of strings.`);
    checkStrings(stdio.env, `MCP server '${name}': env`, fail);
    return { ...stdio, breaker, transport: 'stdio' };
  }
  const http = options as McpHttpServerOptions;
  let url: URL | undefined;
  try {
    url = new URL(http.url);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) fail(`MCP server '${name}': url ${JSON.stringify(http.url)} is not an http(s) URL.`);
  checkStrings(http.headers, `MCP server '${name}': headers`, fail);
  return { ...http, breaker, transport: 'http' };
}

function checkStrings(values: unknown, what: string, fail: (problem: string) => never): void {
  if (values === undefined) return;
  if (typeof values !== 'object' || values === null || Object.values(values).some((value) => typeof value !== 'string')) fail(`${what} must map names to strings.`);
}

/** What a run records of the server. */
export function mcpServerSpec(server: McpServer, unavailable?: string): McpServerSpec {
  const breaker = { ...defaultBreaker, ...server.breaker };
  return { name: server.name, transport: server.transport, breaker, ...(unavailable ? { unavailable } : {}) };
}

/** The values that must never leave the worker: env values and header values. */
export function mcpSecrets(server: McpServer): string[] {
  const values = server.transport === 'stdio' ? Object.values(server.env ?? {}) : Object.values(server.headers ?? {});
  // "Bearer abc…": the token alone may be echoed too (the scheme is no secret).
  const parts = values.flatMap((value) => [value, ...value.trim().split(/\s+/).slice(1)]);
  return [...new Set(parts.filter((value) => value.length >= 6))].sort((a, b) => b.length - a.length);
}
