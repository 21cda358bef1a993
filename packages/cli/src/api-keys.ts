import { MissingApiKeyError } from '@cairn/core';

/**
 * In embedded mode the worker runs with this shell's environment, so a missing
 * key can be reported before a run starts rather than as a failed run.
 */
export function checkApiKey(model: string, env: NodeJS.ProcessEnv = process.env): void {
  if (model.startsWith('openai:') && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) throw new MissingApiKeyError('OpenAI', 'OPENAI_API_KEY');
  if (model.startsWith('anthropic:') && !env.ANTHROPIC_API_KEY) throw new MissingApiKeyError('Anthropic', 'ANTHROPIC_API_KEY');
}
