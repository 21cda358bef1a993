// The refunds agent of the eval suite: it looks an order up and refunds it; refunds over $50 wait for a
// person's approval.
import { defineAgent, defineTool } from '@cairn/core';
import { z } from 'zod';
import { orders } from '../orders/agent.ts';

const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Looks an order up by its number: its status and total.',
  input: z.object({ orderId: z.string() }),
  execute: ({ orderId }) => orders[orderId] ?? { error: `There is no order ${orderId}.` },
});

const refund = defineTool({
  name: 'refund',
  description: 'Refunds an order, in full or in part.',
  input: z.object({ orderId: z.string(), amount: z.number().positive() }),
  needsApproval: ({ amount }) => amount > 50,
  execute: ({ orderId, amount }, { idempotencyKey }) => ({ refunded: amount, orderId, reference: idempotencyKey }),
});

export const refundsAgent = defineAgent({
  name: 'eval-refunds',
  model: 'openai:gpt-4.1-mini',
  instructions: 'You refund orders when asked. Look the order up first, refund its total, and say what happened in one sentence.',
  tools: [lookupOrder, refund],
  maxTurns: 6,
});
