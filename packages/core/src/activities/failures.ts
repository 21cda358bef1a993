import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { isCairnError } from '../errors.ts';
import { ModelCallError } from '../providers/model-errors.ts';
import { ToolError } from '../agent/tool-error.ts';
import { redact } from '../redact.ts';

/**
 * Turns an error thrown inside an activity into the failure Temporal should see,
 * for models and tools alike: final errors become non-retryable with a stable
 * type, rate limits carry the server's retry hint as the next retry delay,
 * everything else is retried. Every message is redacted on the way: a failure is
 * kept in history for good.
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ModelCallError || error instanceof ToolError) {
    const source = error instanceof ModelCallError ? 'Model' : 'Tool';
    const type = `${source}${{ transient: 'Transient', rate_limited: 'RateLimited', fatal: 'Fatal' }[error.kind]}`;
    return ApplicationFailure.create({
      type,
      message: redact(withHint(error.message, error.hint)),
      nonRetryable: error.kind === 'fatal',
      nextRetryDelay: error.retryAfterMs,
      details: [error instanceof ModelCallError ? { provider: error.provider, status: error.status, hint: error.hint } : { code: error.code, hint: error.hint }],
    });
  }
  if (isCairnError(error)) {
    const type = error.name === 'UnknownAgentError' ? 'UnknownAgent' : error.name === 'MissingApiKeyError' ? 'MissingApiKey' : error.name === 'InvalidDefinitionError' ? 'InvalidDefinition' : error.name;
    const final = ['UnknownAgent', 'MissingApiKey', 'InvalidDefinition'].includes(type);
    return ApplicationFailure.create({ type, message: redact(withHint(error.message, error.hint)), nonRetryable: final, details: [{ hint: error.hint && redact(error.hint) }] });
  }
  // Cancellations and Temporal's own failures pass as they are; any other error's text could carry a secret.
  if (error instanceof Error && !(error instanceof TemporalFailure) && error.name !== 'AbortError') {
    return ApplicationFailure.create({ type: error.name, message: redact(error.message) });
  }
  return error;
}

function withHint(message: string, hint: string | undefined): string {
  return hint && !message.includes(hint) ? `${message} ${hint}` : message;
}
