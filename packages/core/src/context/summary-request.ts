/**
 * The summarisation call that folds the oldest turns of a conversation into a
 * summary. The turns are written out as plain text, each part cut to a length
 * the caller chooses, so that the request fits the same window it is making room in.
 */
import type { Message } from '../messages.ts';

export const summaryInstructions = [
  "You compress the working memory of an AI agent so it can go on within its model's context window.",
  'Write a summary of the conversation you are given (and of the earlier summary, if there is one) that the agent can work from instead.',
  'Keep: what the task asks for; decisions made and why; facts found, with their sources (ids, names, URLs, numbers, quotes that matter); what was tried and failed; what is still open and the next steps.',
  'Leave out pleasantries and anything the agent will not need. Be specific and terse. Write only the summary.',
].join('\n');

function cut(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… [${(text.length - maxChars).toLocaleString('en-US')} more characters]`;
}

function render(message: Message, maxChars: number): string {
  switch (message.role) {
    case 'user':
      return `User: ${cut(message.content, maxChars)}`;
    case 'assistant':
      return [
        ...(message.content.trim() === '' ? [] : [`Assistant: ${cut(message.content, maxChars)}`]),
        ...message.toolCalls.map((call) => `Assistant called ${call.name}(${cut(call.arguments, maxChars)})`),
      ].join('\n');
    case 'tool':
      return `Result of ${message.toolName}${message.isError ? ' (an error)' : ''}: ${cut(message.content, maxChars)}`;
  }
}

/** The one user message of a summarisation call. */
export function summaryPrompt(previousSummary: string | undefined, messages: readonly Message[], maxChars: number): string {
  const parts = previousSummary ? [`The summary so far:\n${previousSummary}`, 'What happened since:'] : ['The conversation so far:'];
  parts.push(messages.map((message) => render(message, maxChars)).join('\n\n'));
  return parts.join('\n\n');
}
