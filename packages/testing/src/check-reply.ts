import type { ScriptedReply } from './scripted-reply.ts';

const faultKinds = new Set(['rate_limit', 'server_error', 'overloaded', 'bad_request', 'unauthorized', 'hang']);

/**
 * What is wrong with a scripted reply, if anything. Scripts are often written in
 * plain JavaScript or built by handlers, so a typo should be named here rather than
 * surface as a puzzling reply.
 */
export function replyProblem(reply: unknown): string | undefined {
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    return `a scripted reply must be an object like { text: 'Hi' }, got ${JSON.stringify(reply)}`;
  }
  const { fault, toolCalls } = reply as ScriptedReply;
  if (fault !== undefined && !faultKinds.has(fault?.kind)) {
    return `unknown fault kind ${JSON.stringify(fault?.kind)}; use one of ${[...faultKinds].join(', ')}`;
  }
  if (toolCalls !== undefined && !Array.isArray(toolCalls)) return 'toolCalls must be an array';
  for (const call of toolCalls ?? []) {
    if (typeof call?.name !== 'string' || call.name === '') return `every tool call needs a name, got ${JSON.stringify(call)}`;
    const args: unknown = call.arguments;
    if (typeof args !== 'string' && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      return `the arguments of tool call '${call.name}' must be an object or a string, got ${JSON.stringify(args)}`;
    }
  }
  return undefined;
}
