import { ApplicationFailure } from '@temporalio/common';
import { isCairnError } from '../errors.ts';
import { ModelCallError } from '../providers/model-errors.ts';

/**
 * Turns an error thrown inside an activity into the failure Temporal should see:
 * final errors become non-retryable with a stable type, rate limits carry the
 * server's retry hint as the next retry delay, everything else is retried.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ModelCallError) {
    const type = { transient: 'ModelTransient', rate_limited: 'ModelRateLimited', fatal: 'ModelFatal' }[error.kind];
    return ApplicationFailure.create({
      type,
      message: withHint(error.message, error.hint),
      nonRetryable: error.kind === 'fatal',
      nextRetryDelay: error.retryAfterMs,
      details: [{ provider: error.provider, status: error.status, hint: error.hint }],
    });
  }
  if (isCairnError(error)) {
    const type = error.name === 'UnknownAgentError' ? 'UnknownAgent' : error.name === 'MissingApiKeyError' ? 'MissingApiKey' : error.name === 'InvalidDefinitionError' ? 'InvalidDefinition' : error.name;
    const final = ['UnknownAgent', 'MissingApiKey', 'InvalidDefinition'].includes(type);
    return ApplicationFailure.create({ type, message: withHint(error.message, error.hint), nonRetryable: final, details: [{ hint: error.hint }] });
  }
  return error;
}

function withHint(message: string, hint: string | undefined): string {
  return hint && !message.includes(hint) ? `${message} ${hint}` : message;
}
