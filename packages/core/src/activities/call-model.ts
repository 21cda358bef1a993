import { Context } from '@temporalio/activity';
import type { CallModelInput, CallModelOutput, CheckedOutput, TranscriptAppend } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { AgentSpec } from '../agent/spec.ts';
import { checkOutput } from '../agent/structured-output.ts';
import { addUsage, type Message, type TokenUsage } from '../messages.ts';
import type { ModelProvider } from '../providers/provider.ts';
import type { ProviderDefinition } from '../providers/define-provider.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import type { StoredContentMessage, TranscriptStore } from '../transcript/transcript-store.ts';
import { toActivityFailure } from './failures.ts';
import { withHeartbeat } from './heartbeat.ts';
import { interruptedUsage, parseModelCallProgress } from './model-call-progress.ts';
import { StreamReporter } from './stream-progress.ts';
import type { SpecCache } from './spec-cache.ts';
import { defaultTokenMargin, estimateInputTokens, inputTokenBound } from '../budget/estimate-tokens.ts';
import { leavesBudgetUntouched, planModelCall } from '../budget/plan-model-call.ts';
import { assignCallIds, toProviderIds } from '../transcript/call-ids.ts';
import { claimCheckReply, maxInlineBytes } from '../transcript/claim-check.ts';
import { withinStep } from '../telemetry/within-step.ts';
import { inputLimit } from '../context/context-policy.ts';
import { summaryMessage, wholeConversation, type ContextView } from '../context/context-view.ts';
import { fitContext } from '../context/fit-context.ts';
import { ModelCallError } from '../providers/model-errors.ts';

/** `provider:model` → a client and the provider's model name; with its definition, the provider's own token estimates. */
export type ModelResolver = (modelId: string) => { provider: ModelProvider; model: string; definition?: Pick<ProviderDefinition, 'tokenMargin' | 'estimateInputTokens'> };

/**
 * One model call. It reads the conversation from the store, adds what is new
 * (the user's input or the last turn's tool results), calls the model, and
 * appends what was new and the reply to the transcript as one entry. Appends
 * are content-addressed, so a retry after a crash rebuilds exactly the same transcript.
 */
export function callModelActivity(deps: { blobs: BlobStore; transcripts: TranscriptStore; resolveModel: ModelResolver; agents: AgentRegistry; specs: SpecCache }) {
  const summaries = new Map<string, Message>();

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
    const reporter = input.stream ? new StreamReporter(input.turn) : undefined;
    try {
      // The whole call heartbeats: reading a long transcript from a remote store, or waiting for the tokenizer thread, takes time too.
      return await withHeartbeat(() => call(input, reporter), () => reporter?.details());
    } catch (error) {
      throw toActivityFailure(error);
    }
  };

  async function call(input: CallModelInput, reporter: StreamReporter | undefined): Promise<CallModelOutput> {
    const spec = await deps.specs.get(input.specRef);
    const { definition } = deps.resolveModel(spec.model);
    const margin = definition?.tokenMargin ?? defaultTokenMargin;
    const calibration = input.inputCalibration ?? 1;
    // What is new is written with the reply, as one entry; a call that ends without one writes it alone.
    const additions = await materialise(input.append);
    const conversation = [...(await deps.transcripts.read(input.transcript)), ...additions.map((addition) => ('contentRef' in addition ? addition.message : addition))];
    const withNew = () => deps.transcripts.append(input.transcript, additions);
    const length = input.transcript.length + additions.length;
    const offered = spec.tools.filter((tool) => !(tool.kind === 'function' && tool.internal));
    const tools = input.withoutTools ? [] : offered.map(({ name, description, parameters }) => ({ name, description, parameters }));
    const output = spec.output && { name: spec.output.name, description: spec.output.description, schema: spec.output.schema };
    // The output schema is sent too (as a response format or a tool): it is counted as one more tool.
    const counted = { instructions: spec.instructions, tools: output ? [...tools, { ...output, parameters: output.schema }] : tools };
    let estimatedInputTokens: number | undefined;
    const estimate = async (messages: readonly Message[]) =>
      (estimatedInputTokens = definition?.estimateInputTokens
        ? Math.ceil(await definition.estimateInputTokens({ ...counted, messages }))
        : await estimateInputTokens({ margin, ...counted, messages }));
    // A ceiling that costs no tokenizing; the bound keeps at least the default margin (see below).
    const bound = (messages: readonly Message[]) => (definition?.estimateInputTokens ? Infinity : inputTokenBound({ ...counted, messages }, Math.max(margin, defaultTokenMargin)));

    const view = input.context ?? wholeConversation;
    let messages = [...conversation];
    let shownView = view;
    if (spec.context) {
      const policy = spec.context;
      const limit = inputLimit(policy, input.maxOutputTokens);
      const fit = await fitContext({
        messages: conversation,
        view,
        summary: await summaryOf(view),
        policy,
        maxOutputTokens: input.maxOutputTokens,
        // Tokenized only when the byte ceiling says the window may be close.
        measure: async (shown) => {
          const ceiling = bound(shown) * calibration;
          if (ceiling <= policy.compactTo * limit) {
            estimatedInputTokens = undefined;
            return ceiling;
          }
          return Math.ceil((await estimate(shown)) * calibration);
        },
      });
      if (fit.kind === 'summarize') return { transcript: await withNew(), compact: { context: fit.view, through: fit.through } };
      if (fit.kind === 'too_large') {
        throw new ModelCallError(
          `The conversation does not fit ${spec.model}'s context window: its newest messages alone take about ${fit.tokens.toLocaleString('en-US')} tokens, and at most ${fit.limit.toLocaleString('en-US')} fit beside the output cap.`,
          { kind: 'fatal', provider: spec.model, hint: "Give the agent's tools smaller results (maxResultChars), lower keepRecent in its context policy, or use a model with a larger window." },
        );
      }
      messages = fit.messages;
      shownView = fit.view;
    }

    let maxOutputTokens = input.maxOutputTokens;
    // Tokenizing is the costliest step of a turn: done only when the budget is close enough for it to matter.
    // A provider's own estimator may count more than the byte bound: it is always asked. The bound keeps at
    // least the default margin, so calls near the budget are estimated, which is also how a run learns how
    // much more its provider counts (`inputCalibration`).
    if (input.allowance && !leavesBudgetUntouched(bound(messages) * calibration, maxOutputTokens, input.allowance)) {
      const inputTokens = Math.ceil((estimatedInputTokens ?? (await estimate(messages))) * calibration);
      const plan = planModelCall(inputTokens, maxOutputTokens, input.allowance);
      if (!plan.ok) return { transcript: await withNew(), refused: { limit: plan.limit, reason: plan.reason, inputTokens } };
      maxOutputTokens = plan.maxOutputTokens;
    }
    // An earlier attempt cut off mid-stream was billed for what it read and wrote: the budget counts it.
    const previous = reporter && parseModelCallProgress(Context.current().info.heartbeatDetails);
    let interrupted: TokenUsage | undefined;
    if (previous) {
      const unreported = previous.inputTokens === undefined && previous.chars > 0;
      interrupted = interruptedUsage(previous, unreported ? Math.ceil((estimatedInputTokens ?? (await estimate(messages))) * calibration) : 0);
      reporter.carry(interrupted);
    }
    const { provider, model } = deps.resolveModel(spec.model);
    const response = await withinStep(input.trace && { runId: input.runId, ...input.trace }, { chat: input.turn ?? length }, () =>
      provider.generate({
        model,
        instructions: spec.instructions,
        messages: toProviderIds(messages),
        tools,
        maxOutputTokens,
        ...(output ? { output } : {}),
        ...(reporter ? { onStream: reporter.update } : {}),
        signal: Context.current().cancellationSignal,
      }),
    );
    const message = assignCallIds(response.message, input.turn ?? length);
    const transcript = await deps.transcripts.append(input.transcript, [...additions, message]);
    const outputCheck = spec.output && message.toolCalls.length === 0 ? await checkedOutput(spec, message.content) : undefined;
    return {
      transcript,
      message: await claimCheckReply(message, deps.blobs),
      usage: interrupted ? addUsage(response.usage, interrupted) : response.usage,
      ...(interrupted ? { interruptedUsage: interrupted } : {}),
      stopReason: response.stopReason,
      ...(response.modelVersion ? { responseModel: response.modelVersion } : {}),
      ...(estimatedInputTokens === undefined ? {} : { estimatedInputTokens }),
      ...(outputCheck ? { outputCheck } : {}),
      ...(shownView !== view ? { context: shownView } : {}),
    };
  }

  /** The summary a view shows, read once per worker. */
  async function summaryOf(view: ContextView): Promise<Message | undefined> {
    if (!view.summaryRef) return undefined;
    let summary = summaries.get(view.summaryRef);
    if (!summary) {
      summary = summaryMessage(await deps.blobs.get(view.summaryRef));
      summaries.set(view.summaryRef, summary);
      if (summaries.size > 1_024) summaries.delete(summaries.keys().next().value!);
    }
    return summary;
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
