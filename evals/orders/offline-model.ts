// The model of the orders suite offline (the mock model server): it looks the order in the question up,
// then reads the tool's `status` field. A result without one (the broken tool's) leaves it guessing.
import { judgeInstructions } from '@cairn/evals';
import { lastMessage, toolResults, type MockRequest, type ScriptedReply } from '@cairn/testing';

/** The judge's verdict on every answer, offline. */
export const offlineVerdict = { score: 0.9, reason: 'It names the order and its status.' };

export function offlineOrdersModel(request: MockRequest): ScriptedReply {
  if (request.system === judgeInstructions) return { text: JSON.stringify(offlineVerdict) };
  const question = request.messages.find((message) => message.role === 'user')?.content ?? '';
  const orderId = /\d{4}/.exec(question)?.[0] ?? '0000';
  const [result] = toolResults(request);
  if (!result || lastMessage(request)?.role !== 'tool') return { toolCalls: [{ name: 'lookup_order', arguments: { orderId } }] };
  const found = JSON.parse(result.content) as { status?: string; error?: string };
  if (found.error) return { text: `There is no order ${orderId}.` };
  return { text: found.status ? `Order ${orderId} is ${found.status}.` : `I could not tell the status of order ${orderId}.` };
}
