import type { MockMessage, MockRequest, MockToolResult } from './scripted-reply.ts';

/**
 * Small readers for `server.handle(...)`, which decides a reply from where the
 * conversation stands rather than from its position in a script.
 */

/** The newest message of the conversation (the system prompt is not a message). */
export function lastMessage(request: MockRequest): MockMessage | undefined {
  return request.messages.at(-1);
}

/** Every tool result in the conversation, oldest first. */
export function toolResults(request: MockRequest): MockToolResult[] {
  return request.messages.filter((message): message is MockToolResult => message.role === 'tool');
}
