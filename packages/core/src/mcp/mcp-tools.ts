/**
 * An MCP server's tools as an agent offers them: filtered, renamed, bounded
 * (the server is someone else's: its names, descriptions and schemas are
 * checked like anything else from outside), and their results as text.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolSpec } from '../agent/spec.ts';
import type { McpServer } from './mcp-server.ts';

const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;
const maxDescriptionChars = 2_000;
const maxSchemaBytes = 16_000;

/** The tools offered, and those left out with why. */
export function mcpToolSpecs(server: McpServer, listed: readonly Tool[]): { tools: ToolSpec[]; skipped: string[] } {
  const tools: ToolSpec[] = [];
  const skipped: string[] = [];
  for (const tool of listed) {
    if (typeof tool?.name !== 'string') continue;
    if (server.include && !server.include.includes(tool.name)) continue;
    if (server.exclude?.includes(tool.name)) continue;
    const name = `${server.prefix ?? ''}${tool.name}`;
    if (!toolNamePattern.test(name)) {
      skipped.push(`${JSON.stringify(tool.name.slice(0, 80))}: not a name model APIs accept`);
      continue;
    }
    const schema = tool.inputSchema as Record<string, unknown> | undefined;
    if (schema?.type !== 'object' || JSON.stringify(schema).length > maxSchemaBytes) {
      skipped.push(`'${tool.name}': its input schema is not an object schema of at most ${maxSchemaBytes.toLocaleString('en-US')} bytes`);
      continue;
    }
    const approval = approvalOf(server, tool.name);
    tools.push({
      kind: 'function',
      name,
      description: (typeof tool.description === 'string' && tool.description.trim() !== '' ? tool.description : `The '${tool.name}' tool of the ${server.name} MCP server.`).slice(0, maxDescriptionChars),
      parameters: schema,
      mcp: { server: server.name, tool: tool.name },
      ...(approval ? { approval } : {}),
    });
  }
  return { tools, skipped };
}

function approvalOf(server: McpServer, tool: string): 'always' | 'conditional' | undefined {
  const { needsApproval } = server;
  if (needsApproval === true) return 'always';
  if (Array.isArray(needsApproval)) return needsApproval.includes(tool) ? 'always' : undefined;
  return typeof needsApproval === 'function' ? 'conditional' : undefined;
}

/** What the model is handed: the text parts, other content named, or the structured result as JSON. */
export function mcpResultText(result: CallToolResult): string {
  const parts = (Array.isArray(result.content) ? result.content : []).map((part) => {
    switch (part.type) {
      case 'text':
        return part.text;
      case 'image':
      case 'audio':
        return `[${part.type}: ${part.mimeType}, ${Math.floor((part.data.length * 3) / 4).toLocaleString('en-US')} bytes, not shown]`;
      case 'resource':
        return 'text' in part.resource && typeof part.resource.text === 'string' ? part.resource.text : `[resource ${part.resource.uri}, not shown]`;
      case 'resource_link':
        return `[resource ${part.uri}${part.name ? ` (${part.name})` : ''}]`;
      default:
        return '';
    }
  });
  const text = parts.filter((part) => part !== '').join('\n');
  if (text === '' && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return text;
}
