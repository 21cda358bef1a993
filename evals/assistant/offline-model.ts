// The assistant offline (the mock model server): it asks the clock about the cities it knows, and does sums.
import { lastMessage, type MockRequest, type ScriptedReply } from '@cairn/testing';

const zones: Record<string, string> = { Tokyo: 'Asia/Tokyo', Paris: 'Europe/Paris' };

export function offlineAssistantModel(request: MockRequest): ScriptedReply {
  const question = request.messages.find((message) => message.role === 'user')?.content ?? '';
  const last = lastMessage(request);
  const city = Object.keys(zones).find((name) => question.includes(name));
  if (city && last?.role !== 'tool') return { toolCalls: [{ name: 'current_time', arguments: { timeZone: zones[city] } }] };
  if (city) return { text: `In ${city} it is ${last!.content}.` };
  const product = /(\d+) times (\d+)/.exec(question);
  return { text: product ? `${Number(product[1]) * Number(product[2])}.` : 'I am not sure.' };
}
