import type { ModelId } from '@cairn/core';

/**
 * The model the built-in agents use: CAIRN_MODEL if set, else a model of
 * whichever provider has a key in the environment.
 */
export function defaultModel(env: NodeJS.ProcessEnv = process.env): ModelId {
  if (env.CAIRN_MODEL) return env.CAIRN_MODEL as ModelId;
  if (!env.OPENAI_API_KEY && env.ANTHROPIC_API_KEY) return 'anthropic:claude-sonnet-4-5';
  return 'openai:gpt-4.1-mini';
}
