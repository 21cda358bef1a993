// The judge of the suites here that grade answers with a rubric (`llmJudge`): served by evals/cairn.config.ts.
import { judgeAgent } from '@cairn/evals';

export const evalJudge = judgeAgent({ model: 'openai:gpt-4.1-mini' });
