import { z } from 'zod';
import { defineTool } from '@cairn/core';

export interface Transfer {
  to: string;
  amount: number;
}

/**
 * A tool that needs approval before it runs, and the transfers it made: what tests of
 * approvals check, since a denied or unanswered call must leave the list unchanged.
 */
export function transferTool() {
  const transfers: Transfer[] = [];
  const transfer = defineTool({
    name: 'transfer',
    description: 'Transfers money.',
    input: z.object({ to: z.string(), amount: z.number().positive() }),
    needsApproval: true,
    execute: (args) => {
      transfers.push(args);
      return `sent ${args.amount} to ${args.to}`;
    },
  });
  return { transfer, transfers };
}
