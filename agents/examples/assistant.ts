import { defineAgent, defineTool, type ModelId } from '@cairn/core';
import { z } from 'zod';

export const currentTime = defineTool({
  name: 'current_time',
  description: 'The current date and time in a time zone (an IANA name such as Europe/Paris; default UTC).',
  input: z.object({ timeZone: z.string().default('UTC') }),
  execute: ({ timeZone }) => {
    try {
      return new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone }).format(new Date());
    } catch {
      throw new Error(`Unknown time zone '${timeZone}'. Use an IANA name such as Europe/Paris.`);
    }
  },
});

/** A small general assistant: the agent `cairn run assistant "..."` talks to without a config file. */
export function assistant(model: ModelId) {
  return defineAgent({
    name: 'assistant',
    model,
    instructions: 'You are a concise, careful assistant. Use your tools when they help, and say so when you are unsure.',
    tools: [currentTime],
    maxTurns: 10,
  });
}
