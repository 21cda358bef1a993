/**
 * The checks `cairn doctor` runs, each a small function with one verdict: is
 * this machine set up to start, serve and read Cairn's runs?
 */
import type { AgentDefinition, CairnConfig } from '@cairn/core';
import { isCairnError } from '@cairn/core';
import { blobStoreFromEnvironment, encryptedAtRest } from '@cairn/core/blob-stores';
import { cairnHome } from '@cairn/core/config';
import { encryptionFromEnvironment, existingLocalEncryption, type EncryptionSettings } from '@cairn/core/encryption';
import { ProviderRegistry, redact } from '@cairn/core/internals';
import { CAIRN_SEARCH_ATTRIBUTE_KEYS } from '@cairn/core/temporal';
import proto from '@temporalio/proto';
import type { Connection } from '@temporalio/client';

/** `skip`: not checked, because what it needs failed its own check. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  /** One line: what was found. */
  verdict: string;
  /** One line: what to do about it, when something is wrong. */
  fix?: string;
}

export interface DoctorContext {
  config: CairnConfig;
  embedded: boolean;
  taskQueue: string;
  /** The connection to Temporal, when one could be made. */
  temporal?: { connection: Connection; namespace: string; address: string };
  /** Make a tiny real call to each model the agents use. */
  callModels: boolean;
}

const unreachable = (check: string): CheckResult => ({ check, status: 'skip', verdict: 'not checked: Temporal cannot be reached' });
const fixOf = (error: unknown) => (isCairnError(error) ? error.hint : undefined);
const messageOf = (error: unknown) => redact((error as Error).message ?? String(error));

export async function checkNamespace({ temporal }: DoctorContext): Promise<CheckResult> {
  const check = 'namespace';
  if (!temporal) return unreachable(check);
  try {
    await temporal.connection.workflowService.describeNamespace({ namespace: temporal.namespace });
    return { check, status: 'ok', verdict: `'${temporal.namespace}' exists` };
  } catch (error) {
    return { check, status: 'fail', verdict: `'${temporal.namespace}' cannot be used: ${messageOf(error)}`, fix: 'Create it (temporal operator namespace create), or set TEMPORAL_NAMESPACE to one that exists.' };
  }
}

export async function checkSearchAttributes({ temporal }: DoctorContext): Promise<CheckResult> {
  const check = 'search attributes';
  if (!temporal) return unreachable(check);
  try {
    const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({ namespace: temporal.namespace });
    const missing = CAIRN_SEARCH_ATTRIBUTE_KEYS.map((key) => key.name).filter((name) => !(name in (customAttributes ?? {})));
    if (missing.length === 0) return { check, status: 'ok', verdict: `all ${CAIRN_SEARCH_ATTRIBUTE_KEYS.length} of Cairn's are registered` };
    return {
      check,
      status: 'fail',
      verdict: `missing: ${missing.join(', ')} (runs cannot be listed by state, and 'cairn inbox' misses them)`,
      fix: "Start 'cairn worker' once (it registers them on a self-hosted server), or add them with your cloud's tooling (Temporal Cloud: tcld namespace search-attributes add).",
    };
  } catch (error) {
    return { check, status: 'warn', verdict: `could not be listed: ${messageOf(error)}`, fix: "Check them in the Web UI or with 'temporal operator search-attribute list'." };
  }
}

export async function checkBlobStore(context: DoctorContext): Promise<CheckResult> {
  const { config } = context;
  const check = 'blob store';
  let where = 'the blob store';
  try {
    // Sealed as the workers seal it when this shell holds usable keys (bad keys are the codec check's to report).
    const store = encryptedAtRest(blobStoreFromEnvironment(config.blobStore), usableEncryption(context.embedded));
    where = store.description ?? where;
    // The same probe every time: one blob, however often this runs. A store that refuses writes refuses it even when it holds it.
    const probe = 'cairn doctor: this blob store is writable from a machine that ran the check.';
    const key = await store.put(probe);
    if ((await store.get(key)) !== probe) throw new Error('what was read back differs from what was written');
    return { check, status: 'ok', verdict: `${where}: written and read back` };
  } catch (error) {
    return { check, status: 'fail', verdict: `${where}: ${messageOf(error)}`, fix: fixOf(error) ?? 'Check CAIRN_BLOB_STORE and that this machine can write to the store.' };
  }
}

function usableEncryption(embedded: boolean): EncryptionSettings | undefined {
  try {
    return encryptionFromEnvironment() ?? (embedded ? existingLocalEncryption(cairnHome()) : undefined);
  } catch {
    return undefined;
  }
}

/** The `provider:model` ids of these agents and their sub-agents. */
function modelsOf(agents: readonly AgentDefinition[], models = new Set<string>(), seen = new Set<string>()): Set<string> {
  for (const agent of agents) {
    if (seen.has(agent.name)) continue;
    seen.add(agent.name);
    models.add(agent.spec.model);
    modelsOf(agent.subAgents ?? [], models, seen);
  }
  return models;
}

export async function checkModels(context: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const providers = new ProviderRegistry(context.config.providers);
  for (const model of [...modelsOf(context.config.agents)].sort()) {
    const check = `model ${model}`;
    let provider;
    try {
      provider = providers.resolve(model);
    } catch (error) {
      // On a cluster the workers hold the keys: this shell lacking one is worth knowing, not an error.
      results.push({ check, status: context.embedded ? 'fail' : 'warn', verdict: `${messageOf(error)}${context.embedded ? '' : ' (in this shell; workers have their own environment)'}`, fix: fixOf(error) });
      continue;
    }
    if (!context.callModels) {
      results.push({ check, status: 'ok', verdict: 'its key is set (add --call-model to try it)' });
      continue;
    }
    const started = Date.now();
    try {
      await provider.provider.generate({
        model: provider.model,
        instructions: 'Reply with the word OK.',
        messages: [{ role: 'user', content: 'ping' }],
        tools: [],
        maxOutputTokens: 16,
        signal: AbortSignal.timeout(30_000),
      });
      results.push({ check, status: 'ok', verdict: `answered a tiny call in ${Date.now() - started} ms` });
    } catch (error) {
      results.push({ check, status: 'fail', verdict: `a tiny call failed: ${messageOf(error)}`, fix: fixOf(error) ?? 'Check the key, the base URL and the model name.' });
    }
  }
  return results;
}

export function checkEncryption({ embedded }: DoctorContext): CheckResult {
  const check = 'codec key';
  try {
    const configured = encryptionFromEnvironment();
    if (configured) {
      const mode = configured.acceptPlaintext ? 'plain payloads still read' : 'plain payloads refused';
      return { check, status: 'ok', verdict: `history encrypted with key '${configured.keys[0]!.id}' (${configured.keys.length} key${configured.keys.length === 1 ? '' : 's'} held; ${mode})` };
    }
    if (embedded) {
      const local = existingLocalEncryption(cairnHome());
      return local
        ? { check, status: 'ok', verdict: `the embedded stack's key '${local.keys[0]!.id}' (owner-only, in ${cairnHome()})` }
        : { check, status: 'ok', verdict: 'the embedded stack makes its key on first start' };
    }
    return { check, status: 'warn', verdict: 'history is not encrypted: anyone who can read the namespace can read the runs', fix: 'Set CAIRN_ENCRYPTION_KEYS=id:base64key on every worker and client (see README, Encrypted history).' };
  } catch (error) {
    return { check, status: 'fail', verdict: messageOf(error), fix: fixOf(error) };
  }
}

export async function checkPollers({ temporal, taskQueue, embedded }: DoctorContext): Promise<CheckResult> {
  const check = 'workers';
  if (!temporal) return unreachable(check);
  const pollersOf = async (taskQueueType: proto.temporal.api.enums.v1.TaskQueueType) =>
    (await temporal.connection.workflowService.describeTaskQueue({ namespace: temporal.namespace, taskQueue: { name: taskQueue }, taskQueueType })).pollers ?? [];
  try {
    const { TaskQueueType } = proto.temporal.api.enums.v1;
    const [workflowPollers, activityPollers] = await Promise.all([pollersOf(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), pollersOf(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]);
    const identities = new Set([...workflowPollers, ...activityPollers].map((poller) => poller.identity ?? '?'));
    if (workflowPollers.length > 0 && activityPollers.length > 0) return { check, status: 'ok', verdict: `${identities.size} polling task queue '${taskQueue}'` };
    return {
      check,
      status: 'fail',
      verdict: `no worker polls task queue '${taskQueue}' for ${workflowPollers.length === 0 ? 'workflow' : 'activity'} tasks: runs would wait at 'starting'`,
      fix: embedded ? "Start one with 'cairn up'." : `Start one with 'cairn worker --task-queue ${taskQueue}'.`,
    };
  } catch (error) {
    return { check, status: 'fail', verdict: `the task queue could not be described: ${messageOf(error)}`, fix: 'Check the namespace and the credentials.' };
  }
}
