/**
 * Errors a person can act on. Each class has a stable `name`, and a symbol marker
 * lets `isCairnError` work across duplicated package copies, where `instanceof`
 * would not.
 */
const marker = Symbol.for('cairn.error');

export class CairnError extends Error {
  readonly [marker] = true;
  /** What to do about it, shown by the CLI under the message. */
  readonly hint?: string;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CairnError';
    this.hint = options.hint;
  }
}

export function isCairnError(value: unknown): value is CairnError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/** An agent or tool definition that cannot work, caught when it is defined. */
export class InvalidDefinitionError extends CairnError {
  constructor(message: string, hint?: string) {
    super(message, { hint });
    this.name = 'InvalidDefinitionError';
  }
}

export class UnknownAgentError extends CairnError {
  constructor(agent: string, served: string[]) {
    super(`Unknown agent '${agent}'. Served agents: ${served.join(', ') || '(none)'}.`, {
      hint: 'Check the agents listed in cairn.config.ts, or pass --config <path>.',
    });
    this.name = 'UnknownAgentError';
  }
}

export class UnknownRunError extends CairnError {
  constructor(runId: string) {
    super(`No run with id '${runId}'.`, { hint: "List runs with 'cairn list'." });
    this.name = 'UnknownRunError';
  }
}

export class MissingApiKeyError extends CairnError {
  constructor(provider: string, variable: string) {
    super(`The ${provider} model needs an API key: ${variable} is not set.`, {
      hint: `Set ${variable} in the environment of the worker (for example: export ${variable}=...).`,
    });
    this.name = 'MissingApiKeyError';
  }
}

export class ServerUnreachableError extends CairnError {
  constructor(address: string, cause?: unknown) {
    super(`Cannot reach the Temporal server at ${address}.`, {
      hint: "Start the embedded stack with 'cairn up', or check TEMPORAL_ADDRESS.",
      cause,
    });
    this.name = 'ServerUnreachableError';
  }
}
