import type { CairnConfig } from '@cairn/core';
import { ProviderRegistry } from '@cairn/core/internals';

/**
 * In embedded mode the worker runs with this shell's environment, so a missing
 * key (the variable the model's provider names) can be reported before a run
 * starts rather than as a failed run.
 */
export function checkApiKey(model: string, config?: Pick<CairnConfig, 'providers'>, env: NodeJS.ProcessEnv = process.env): void {
  new ProviderRegistry(config?.providers).checkApiKey(model, env);
}
