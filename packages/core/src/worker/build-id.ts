/**
 * Which code served a workflow task. Every Cairn worker runs with a build id, and
 * Temporal records it on each workflow task the worker completes, so a history
 * says which build made each decision: what `cairn show` prints per turn and what
 * `cairn rewind --bad-build` looks for.
 */
import { createHash } from 'node:crypto';
import type { CairnConfig } from '../config/define-config.ts';
import { InvalidDefinitionError } from '../errors.ts';

/** Recorded as the worker deployment's name; versioning itself stays off, so any worker takes any task. */
export const cairnDeploymentName = 'cairn';

const buildIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:+@/-]{0,127}$/;

/**
 * The config's `buildId` (else CAIRN_BUILD_ID), else a fingerprint of what decides a run's
 * course: the workflow bundle, the agents' specs and the source of each tool's `execute`.
 * Set one explicitly (a git commit, a release tag) where tools import code the fingerprint
 * cannot see.
 */
export function workerBuildId(config: Pick<CairnConfig, 'agents' | 'buildId'>, bundleCode: string, environment: NodeJS.ProcessEnv = process.env): string {
  const chosen = config.buildId ?? (environment.CAIRN_BUILD_ID || undefined);
  if (chosen !== undefined) {
    if (!buildIdPattern.test(chosen)) {
      throw new InvalidDefinitionError(`The build id '${chosen.slice(0, 40)}' is not valid: use up to 128 letters, digits and . _ : + @ / -, such as a git commit or v1.4.2.`);
    }
    return chosen;
  }
  const hash = createHash('sha256').update(bundleCode);
  for (const agent of [...config.agents].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(JSON.stringify(agent.spec));
    for (const [name, tool] of [...agent.tools].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update(String(tool.execute));
  }
  return `auto-${hash.digest('hex').slice(0, 12)}`;
}
