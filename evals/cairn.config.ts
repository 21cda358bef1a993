// The agents of the eval suites in this folder: `cairn eval <suite> --config evals/cairn.config.ts`
// brings workers up that serve them.
import { defineConfig } from '@cairn/core';
import { evalJudge } from './judge.ts';
import { brokenOrdersAgent, ordersAgent } from './orders/agent.ts';
import { refundsAgent } from './refunds/agent.ts';

export default defineConfig({ agents: [ordersAgent, brokenOrdersAgent, refundsAgent, evalJudge] });
