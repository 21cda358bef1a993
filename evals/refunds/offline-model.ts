// The refunds agent offline (the mock model server): look up, refund the total, report.
import { toolResults, type MockRequest, type ScriptedReply } from '@cairn/testing';

export function offlineRefundsModel(request: MockRequest): ScriptedReply {
  const question = request.messages.find((message) => message.role === 'user')?.content ?? '';
  const orderId = /\d{4}/.exec(question)?.[0] ?? '0000';
  const [lookup, refunded] = toolResults(request);
  if (!lookup) return { toolCalls: [{ name: 'lookup_order', arguments: { orderId } }] };
  const order = JSON.parse(lookup.content) as { total?: number };
  if (!refunded) return { toolCalls: [{ name: 'refund', arguments: { orderId, amount: order.total } }] };
  const denial = /denied this call to 'refund': (.+?)\. Do not retry/.exec(refunded.content);
  return { text: denial ? `The refund of order ${orderId} was denied: ${denial[1]}.` : `Refunded $${order.total} for order ${orderId}.` };
}
