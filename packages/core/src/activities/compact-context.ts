import { Context } from '@temporalio/activity';
import type { CompactContextInput, CompactContextOutput } from '../activity-contract.ts';
import { defaultTokenMargin, estimateInputTokens } from '../budget/estimate-tokens.ts';
import { planModelCall } from '../budget/plan-model-call.ts';
import { inputLimit } from '../context/context-policy.ts';
import { summaryInstructions, summaryPrompt } from '../context/summary-request.ts';
import type { Message } from '../messages.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import type { TranscriptStore } from '../transcript/transcript-store.ts';
import { withinStep } from '../telemetry/within-step.ts';
import type { ModelResolver } from './call-model.ts';
import { toActivityFailure } from './failures.ts';
import { withHeartbeat } from './heartbeat.ts';
import type { SpecCache } from './spec-cache.ts';

/** The longest a turn's part is shown to the summariser at first; halved until the request fits. */
const firstPartChars = 4_000;
const lastPartChars = 100;

/**
 * Folds the oldest turns of a conversation into a summary, with the agent's own
 * model, when the conversation no longer fits its window. The summary is stored
 * as a blob; the new view (recorded in history) shows it in place of those
 * turns. The transcript itself keeps every turn.
 */
export function compactContextActivity(deps: { blobs: BlobStore; transcripts: TranscriptStore; resolveModel: ModelResolver; specs: SpecCache }) {
  return async function compactContext(input: CompactContextInput): Promise<CompactContextOutput> {
    try {
      return await withHeartbeat(() => compact(input));
    } catch (error) {
      throw toActivityFailure(error);
    }
  };

  async function compact(input: CompactContextInput): Promise<CompactContextOutput> {
    const spec = await deps.specs.get(input.specRef);
    const policy = spec.context;
    if (!policy) throw new Error(`Agent '${spec.name}' has no context policy, so nothing asks to compact its conversation.`);
    const { provider, model, definition } = deps.resolveModel(spec.model);
    const margin = definition?.tokenMargin ?? defaultTokenMargin;
    const messages = await deps.transcripts.read(input.transcript);
    const folded = messages.slice(Math.max(1, input.context.summarizedThrough), input.through);
    const previous = input.context.summaryRef ? await deps.blobs.get(input.context.summaryRef) : undefined;

    // The summariser's request must fit the window it is making room in: parts are cut shorter until it does.
    const limit = inputLimit(policy, policy.summaryMaxTokens);
    let request!: { instructions: string; messages: Message[]; tools: [] };
    let estimated = 0;
    for (let partChars = firstPartChars; ; partChars = Math.floor(partChars / 2)) {
      request = { instructions: summaryInstructions, messages: [{ role: 'user', content: summaryPrompt(previous, folded, partChars) }], tools: [] };
      estimated = definition?.estimateInputTokens ? Math.ceil(await definition.estimateInputTokens(request)) : await estimateInputTokens({ margin, ...request });
      if (estimated * (input.inputCalibration ?? 1) <= limit || partChars <= lastPartChars) break;
    }
    const inputTokens = Math.ceil(estimated * (input.inputCalibration ?? 1));
    let maxOutputTokens = policy.summaryMaxTokens;
    if (input.allowance) {
      const plan = planModelCall(inputTokens, maxOutputTokens, input.allowance);
      if (!plan.ok) return { refused: { limit: plan.limit, reason: plan.reason, inputTokens } };
      maxOutputTokens = plan.maxOutputTokens;
    }
    const response = await withinStep(input.trace && { runId: input.runId, ...input.trace }, { compaction: input.through }, () =>
      provider.generate({ model, ...request, maxOutputTokens, signal: Context.current().cancellationSignal }),
    );
    const summaryRef = await deps.blobs.put(response.message.content);
    return {
      context: { summarizedThrough: input.through, summaryRef, elidedThrough: Math.max(input.context.elidedThrough, input.through) },
      usage: response.usage,
      estimatedInputTokens: estimated,
      ...(response.modelVersion ? { responseModel: response.modelVersion } : {}),
    };
  }
}
