// The orders agent of the eval suite: it looks orders up and says how they stand. `brokenOrders`
// is the same agent with a tool that returns the wrong field, to show that the suite notices.
import { defineAgent, defineTool } from '@cairn/core';
import { z } from 'zod';

export const orders: Record<string, { status: string; total: number }> = {
  '1042': { status: 'shipped', total: 129 },
  '1043': { status: 'delivered', total: 35 },
  '1044': { status: 'cancelled', total: 18 },
  '1045': { status: 'processing', total: 260 },
};

const lookupInput = z.object({ orderId: z.string().describe('The order number, such as 1042.') });

function lookupOrder(field: 'status' | 'state') {
  return defineTool({
    name: 'lookup_order',
    description: 'Looks an order up by its number: its status and total.',
    input: lookupInput,
    execute: ({ orderId }) => {
      const order = orders[orderId];
      if (!order) return { error: `There is no order ${orderId}.` };
      return { orderId, [field]: order.status, total: order.total };
    },
  });
}

const instructions = 'You answer questions about orders. Look each order up with lookup_order before you answer, and say its status in one sentence.';

export const ordersAgent = defineAgent({ name: 'eval-orders', model: 'openai:gpt-4.1-mini', instructions, tools: [lookupOrder('status')], maxTurns: 6 });
export const brokenOrdersAgent = defineAgent({ name: 'eval-orders-broken', model: 'openai:gpt-4.1-mini', instructions, tools: [lookupOrder('state')], maxTurns: 6 });
