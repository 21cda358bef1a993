/** The minimal loop's activities: the same model server through the same `openai` client, and a tool returning as many bytes as Cairn's. */
import OpenAI from 'openai';

/** Chat messages in the OpenAI wire shape, as a hand-written loop keeps them. */
export interface MinimalMessage {
  role: 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
const resultBytes = Number(process.env.BENCH_RESULT_BYTES ?? 1024);

export async function modelStep(conversation: MinimalMessage[]): Promise<MinimalMessage> {
  const completion = await client.chat.completions.create({
    model: 'gpt-bench',
    messages: conversation as OpenAI.Chat.ChatCompletionMessageParam[],
    tools: [{ type: 'function', function: { name: 'lookup', description: 'Looks a topic up.', parameters: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] } } }],
  });
  const message = completion.choices[0]!.message;
  const toolCalls = (message.tool_calls ?? []).flatMap((call) => (call.type === 'function' ? [{ id: call.id, type: 'function' as const, function: call.function }] : []));
  return { role: 'assistant', content: message.content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
}

export async function toolStep(argumentsJson: string): Promise<string> {
  const { topic } = JSON.parse(argumentsJson) as { topic: string };
  return `${topic}: ${'x'.repeat(resultBytes)}`;
}
