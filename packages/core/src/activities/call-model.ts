import { Context } from '@temporalio/activity';
import type { CallModelInput, CallModelOutput, CheckedOutput, TranscriptAppend } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { AgentSpec } from '../agent/spec.ts';
import { checkOutput } from '../agent/structured-output.ts';
import type { Message } from '../messages.ts';
import type { ModelProvider } from '../providers/provider.ts';
import type { ProviderDefinition } from '../providers/define-provider.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import type { StoredContentMessage, TranscriptStore } from '../transcript/transcript-store.ts';
import { toActivityFailure } from './failures.ts';
import { withHeartbeat } from './heartbeat.ts';
import { defaultTokenMargin, estimateInputTokens, inputTokenBound } from '../budget/estimate-tokens.ts';
import { leavesBudgetUntouched, planModelCall } from '../budget/plan-model-call.ts';
import { assignCallIds, toProviderIds } from '../transcript/call-ids.ts';
import { claimCheckReply, maxInlineBytes } from '../transcript/claim-check.ts';
import { withinStep } from '../telemetry/within-step.ts';

/** `provider:model` → a client and the provider's model name; with its definition, the provider's own token estimates. */
export type ModelResolver = (modelId: string) => { provider: ModelProvider; model: string; definition?: Pick<ProviderDefinition, 'tokenMargin' | 'estimateInputTokens'> };

/**
 * One model call. It first appends what is new (the user's input or the last
 * turn's tool results) to the transcript, reads the whole conversation from the
 * store, calls the model, and appends the reply. Appends are content-addressed,
 * so a retry after a crash rebuilds exactly the same transcript.
 */
export function callModelActivity(deps: { blobs: BlobStore; transcripts: TranscriptStore; resolveModel: ModelResolver; agents: AgentRegistry }) {
  const specs = new Map<string, AgentSpec>();

  async function specOf(ref: string): Promise<AgentSpec> {
    let spec = specs.get(ref);
    if (!spec) {
      spec = JSON.parse(await deps.blobs.get(ref)) as AgentSpec;
      specs.set(ref, spec);
    }
    return spec;
  }

  /** What is new, with content read from the store where the workflow holds a key; the transcript refers to those blobs rather than storing them again. */
  async function materialise(append: TranscriptAppend[]): Promise<(Message | StoredContentMessage)[]> {
    return Promise.all(
      append.map(async (entry): Promise<Message | StoredContentMessage> => {
        if (!('contentRef' in entry)) return entry;
        const { contentRef, ...rest } = entry;
        if (rest.role === 'user') return { message: { role: 'user', content: await deps.blobs.get(contentRef) }, contentRef };
        const { suffix = '', ...result } = rest;
        return { message: { ...result, content: (await deps.blobs.get(contentRef)) + suffix }, contentRef, ...(suffix ? { suffix } : {}) };
      }),
    );
  }

  return async function callModel(input: CallModelInput): Promise<CallModelOutput> {
    try {
      // The whole call heartbeats: reading a long transcript from a remote store, or waiting for the tokenizer thread, takes time too.
      return await withHeartbeat(() => call(input));
    } catch (error) {
      throw toActivityFailure(error);
    }
  };

  async function call(input: CallModelInput): Promise<CallModelOutput> {
    const spec = await specOf(input.specRef);
    const { provider, model, definition } = deps.resolveModel(spec.model);
    const margin = definition?.tokenMargin ?? defaultTokenMargin;
    const withNew = await deps.transcripts.append(input.transcript, await materialise(input.append));
    const messages = [...(await deps.transcripts.read(withNew))];
    const offered = spec.tools.filter((tool) => !(tool.kind === 'function' && tool.internal));
    const tools = input.withoutTools ? [] : offered.map(({ name, description, parameters }) => ({ name, description, parameters }));
    const output = spec.output && { name: spec.output.name, description: spec.output.description, schema: spec.output.schema };
    let maxOutputTokens = input.maxOutputTokens;
    let estimatedInputTokens: number | undefined;
    // The output schema is sent too (as a response format or a tool): it is counted as one more tool.
    const request = { instructions: spec.instructions, messages, tools: output ? [...tools, { ...output, parameters: output.schema }] : tools };
    // Tokenizing is the costliest step of a turn: done only when the budget is close enough for it to matter.
    // A provider's own estimator may count more than the byte bound: it is always asked. The bound keeps at
    // least the default margin, so calls near the budget are estimated, which is also how a run learns how
    // much more its provider counts (`inputCalibration`).
    const bound = definition?.estimateInputTokens ? Infinity : inputTokenBound(request, Math.max(margin, defaultTokenMargin));
    if (input.allowance && !leavesBudgetUntouched(bound * (input.inputCalibration ?? 1), maxOutputTokens, input.allowance)) {
      estimatedInputTokens = definition?.estimateInputTokens ? Math.ceil(await definition.estimateInputTokens(request)) : await estimateInputTokens({ margin, ...request });
      const inputTokens = Math.ceil(estimatedInputTokens * (input.inputCalibration ?? 1));
      const plan = planModelCall(inputTokens, maxOutputTokens, input.allowance);
      if (!plan.ok) return { transcript: withNew, refused: { limit: plan.limit, reason: plan.reason, inputTokens } };
      maxOutputTokens = plan.maxOutputTokens;
    }
    const response = await withinStep(input.trace && { runId: input.runId, ...input.trace }, { chat: input.turn ?? withNew.length }, () =>
      provider.generate({
        model,
        instructions: spec.instructions,
        messages: toProviderIds(messages),
        tools,
        maxOutputTokens,
        ...(output ? { output } : {}),
        signal: Context.current().cancellationSignal,
      }),
    );
    const message = assignCallIds(response.message, input.turn ?? withNew.length);
    const transcript = await deps.transcripts.append(withNew, [message]);
    const outputCheck = spec.output && message.toolCalls.length === 0 ? await checkedOutput(spec, message.content) : undefined;
    return {
      transcript,
      message: await claimCheckReply(message, deps.blobs),
      usage: response.usage,
      stopReason: response.stopReason,
      ...(response.modelVersion ? { responseModel: response.modelVersion } : {}),
      ...(estimatedInputTokens === undefined ? {} : { estimatedInputTokens }),
      ...(outputCheck ? { outputCheck } : {}),
    };
  }

  /** Checked against the agent's zod schema, as this worker defines it; the value leaves history by key when large. */
  async function checkedOutput(spec: AgentSpec, text: string): Promise<CheckedOutput> {
    const check = checkOutput(text, deps.agents.has(spec.name) ? deps.agents.get(spec.name).output : undefined);
    if (!check.valid) return check;
    const json = JSON.stringify(check.value) ?? 'null';
    if (Buffer.byteLength(json) <= maxInlineBytes) return check;
    return { valid: true, valueRef: await deps.blobs.put(json), preview: json.slice(0, 2_000) };
  }
}
