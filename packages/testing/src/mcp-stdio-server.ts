/**
 * The order desk over stdio, as a process of its own. For tests that kill it:
 * it writes its pid to MCP_TEST_PID_FILE, appends each call to MCP_TEST_CALLS_FILE,
 * and will not start while MCP_TEST_DOWN_FILE exists (a server that stays down).
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { orderDeskServer } from './mcp-test-server.ts';

const { MCP_TEST_PID_FILE: pidFile, MCP_TEST_CALLS_FILE: callsFile, MCP_TEST_DOWN_FILE: downFile } = process.env;
if (downFile && existsSync(downFile)) {
  console.error('order desk: down');
  process.exit(1);
}
if (pidFile) writeFileSync(pidFile, String(process.pid));
const server = orderDeskServer((call) => {
  if (callsFile) appendFileSync(callsFile, `${JSON.stringify(call)}\n`);
});
await server.connect(new StdioServerTransport());
