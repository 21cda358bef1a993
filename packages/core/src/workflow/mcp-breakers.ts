/**
 * A circuit breaker per MCP server, per run: after a number of calls in a row
 * that could not reach the server (each after its retries), the run stops
 * calling it and the model is told its tools are unavailable; once the reset
 * time has passed, one call is let through to try again. Workflow time and
 * recorded results only, so a replay decides the same.
 */
import type { McpServerSpec } from '../mcp/mcp-server.ts';

interface BreakerState {
  failures: number;
  openedAt?: number;
  lastError?: string;
}

export class McpBreakers {
  private readonly states = new Map<string, BreakerState>();

  constructor(private readonly servers: readonly McpServerSpec[]) {}

  /** Why a call to the server is not made now, or undefined when it may go ahead. */
  refusal(server: string, tool: string, now: number): string | undefined {
    const state = this.states.get(server);
    const spec = this.servers.find((candidate) => candidate.name === server);
    if (state?.openedAt === undefined || !spec) return undefined;
    // Half open: one call goes through, and its outcome closes or re-opens the breaker.
    if (now - state.openedAt >= spec.breaker.resetAfterMs) {
      state.openedAt = now;
      return undefined;
    }
    return `Tool '${tool}' is unavailable: its MCP server '${server}' failed ${state.failures} calls in a row in this run (the last: ${state.lastError ?? 'unreachable'}). Do without its tools, or say what you could not do.`;
  }

  record(server: string, outcome: { unavailable: boolean; error?: string }, now: number): void {
    const spec = this.servers.find((candidate) => candidate.name === server);
    if (!spec) return;
    if (!outcome.unavailable) return void this.states.delete(server);
    const state = this.states.get(server) ?? { failures: 0 };
    state.failures += 1;
    state.lastError = outcome.error?.slice(0, 200);
    if (state.failures >= spec.breaker.failures) state.openedAt = now;
    this.states.set(server, state);
  }
}
