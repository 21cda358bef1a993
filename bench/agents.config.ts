// The agent the benchmarks run: one tool that returns BENCH_RESULT_BYTES of text, as the minimal loop's does.
import { defineAgent, defineConfig, defineTool } from '@cairn/core';
import { z } from 'zod';

const resultBytes = Number(process.env.BENCH_RESULT_BYTES ?? 1024);

const lookup = defineTool({
  name: 'lookup',
  description: 'Looks a topic up.',
  input: z.object({ topic: z.string() }),
  execute: ({ topic }) => `${topic}: ${'x'.repeat(resultBytes)}`,
});

export default defineConfig({
  agents: [defineAgent({ name: 'bench', model: 'openai:gpt-bench', instructions: 'Look things up, then answer.', tools: [lookup], maxTurns: 2_000 })],
});
