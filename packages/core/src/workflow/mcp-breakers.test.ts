import { describe, expect, it } from 'vitest';
import { McpBreakers } from './mcp-breakers.ts';

const servers = [{ name: 'orders', transport: 'http' as const, breaker: { failures: 2, resetAfterMs: 60_000 } }];

describe('McpBreakers', () => {
  it('opens after the configured failures in a row, and names the last one', () => {
    const breakers = new McpBreakers(servers);
    breakers.record('orders', { unavailable: true, error: 'connection refused' }, 0);
    expect(breakers.refusal('orders', 'lookup', 1)).toBeUndefined();
    breakers.record('orders', { unavailable: true, error: 'connection refused' }, 2);
    expect(breakers.refusal('orders', 'lookup', 3)).toBe(
      "Tool 'lookup' is unavailable: its MCP server 'orders' failed 2 calls in a row in this run (the last: connection refused). Do without its tools, or say what you could not do.",
    );
  });

  it('counts only failures in a row: a call that reached the server resets the count', () => {
    const breakers = new McpBreakers(servers);
    breakers.record('orders', { unavailable: true }, 0);
    breakers.record('orders', { unavailable: false }, 1);
    breakers.record('orders', { unavailable: true }, 2);
    expect(breakers.refusal('orders', 'lookup', 3)).toBeUndefined();
  });

  it('lets one call through once the reset time has passed, and opens again if it fails', () => {
    const breakers = new McpBreakers(servers);
    breakers.record('orders', { unavailable: true }, 0);
    breakers.record('orders', { unavailable: true }, 0);
    expect(breakers.refusal('orders', 'lookup', 59_999)).toBeDefined();
    expect(breakers.refusal('orders', 'lookup', 60_000)).toBeUndefined();
    expect(breakers.refusal('orders', 'lookup', 60_001)).toBeDefined();
    breakers.record('orders', { unavailable: false }, 60_002);
    expect(breakers.refusal('orders', 'lookup', 60_003)).toBeUndefined();
  });
});
