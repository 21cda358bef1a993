/**
 * How a failed tool call should be treated, in the same terms as model errors:
 * - `transient`: trying again later may work (timeouts, resets, 5xx);
 * - `rate_limited`: try again, but not before `retryAfterMs`;
 * - `fatal`: retrying cannot help (bad URL, unsupported content, refused key).
 *
 * A tool throws one to say which: the tool activity lets Temporal retry transient
 * and rate-limited failures (honouring the hint) a few times before it hands the
 * model the error; a fatal one, or any other error, goes to the model at once.
 * So each message says what failed and what the model (or a person) can do instead.
 */
import { CairnError } from '../errors.ts';

export type ToolErrorKind = 'transient' | 'rate_limited' | 'fatal';

export class ToolError extends CairnError {
  readonly kind: ToolErrorKind;
  /** A stable, machine-readable reason, e.g. `timeout` or `unsupported_content_type`. */
  readonly code: string;
  readonly retryAfterMs?: number;

  constructor(message: string, details: { kind: ToolErrorKind; code: string; retryAfterMs?: number; hint?: string; cause?: unknown }) {
    super(message, { hint: details.hint, cause: details.cause });
    this.name = 'ToolError';
    this.kind = details.kind;
    this.code = details.code;
    this.retryAfterMs = details.retryAfterMs;
  }
}
