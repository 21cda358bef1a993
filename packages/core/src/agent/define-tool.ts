import { z } from 'zod';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { Duration } from '@temporalio/common';
import { InvalidDefinitionError } from '../errors.ts';
import type { ToolDescriptor } from '../providers/provider.ts';
import type { BlobStore } from '../transcript/blob-store.ts';

/** What a tool's `execute` knows about the call it serves. */
export interface ToolContext {
  /** The run (workflow id) this call belongs to. */
  runId: string;
  /** Cairn's id for this tool call (`call-<turn>-<n>`), unique in the run. */
  toolCallId: string;
  /**
   * Stable across retries and replays of this call: pass it to any external
   * system that deduplicates (payments, tickets, emails) so a retry never acts twice.
   */
  idempotencyKey: string;
  /** The agent that called the tool. */
  agent: string;
  /** Aborted when the run is cancelled or the activity times out. */
  signal: AbortSignal;
  /** Tells Temporal the tool is still alive; call it during long work. */
  heartbeat(details?: unknown): void;
  /** The run's tool settings (`RunOptions.toolSettings`), e.g. which corpus to search. */
  settings: Readonly<Record<string, string>>;
  /**
   * The blob store every worker of the task queue shares: where a tool keeps
   * what a later step (on any worker) must read. Never a worker's own disk.
   */
  blobs: BlobStore;
  /** For an asynchronous tool (`async`): the ways its result can come back, to hand to whatever does the work. */
  completion?: AsyncCompletion;
}

/**
 * How the result of an asynchronous tool call comes back, by any one of:
 * `cairn complete <runId> <callId> --result '<json>'`; an HTTP POST to `callbackUrl`
 * with `Authorization: Bearer <callbackToken>` (`cairn serve callbacks`); or
 * Temporal's async activity completion with `taskToken`.
 */
export interface AsyncCompletion {
  runId: string;
  callId: string;
  /** Base64 of the activity's task token, for `client.activity.complete(Buffer.from(taskToken, 'base64'), result)`. */
  taskToken: string;
  /** Where `cairn serve callbacks` takes this call's result (CAIRN_CALLBACK_URL), and the token only this call accepts. */
  callbackUrl: string;
  callbackToken: string;
}

/** An asynchronous tool: `execute` starts the work and returns; the result arrives later, from outside. */
export interface AsyncToolOptions {
  /** How long to wait for the result: milliseconds or a duration such as '2 hours' or '3d'. */
  timeout: Duration;
  /** What the model is handed when the time is up: `{ result }` as if the call had returned it, or (default) an error. */
  onTimeout?: { result: unknown } | 'error';
}

/** Whether a call needs a person's approval before it runs: always, or decided from its arguments. */
export type NeedsApproval<Args> = boolean | ((args: Args) => boolean | Promise<boolean>);

export interface ApprovalOptions<Args> {
  needsApproval?: NeedsApproval<Args>;
  /** How long to wait for a decision before `onApprovalTimeout` applies. Default: wait forever. */
  approvalTimeoutMs?: number;
  /** What an unanswered approval becomes. Default 'deny'. */
  onApprovalTimeout?: 'deny' | 'approve';
}

export interface ToolDefinition<Input extends z.ZodType = z.ZodType, Output = unknown> extends ApprovalOptions<z.output<Input>> {
  readonly kind: 'tool';
  /** Not offered to the model: a step that workflows run as an activity (a check, a conversion). */
  internal?: boolean;
  /**
   * The most characters of a result the model is shown (default 100,000). A
   * longer result is cut, stored whole, and the model is told so.
   */
  maxResultChars?: number;
  name: string;
  description: string;
  input: Input;
  execute(args: z.output<Input>, context: ToolContext): Promise<Output> | Output;
  /** The tool's result arrives later, from outside (`execute` only starts the work). */
  async?: { timeoutMs: number; onTimeout: { result: unknown } | 'error' };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds tools of every input type
export type AnyTool = ToolDefinition<any, unknown>;

const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Defines a tool a model can call. `input` is a zod object schema: the model is
 * shown its JSON Schema, and the arguments it sends are validated against it
 * before `execute` runs. Invalid arguments go back to the model as a tool error.
 */
export function defineTool<Input extends z.ZodType, Output>(
  definition: {
    name: string;
    description: string;
    input: Input;
    execute(args: z.output<Input>, context: ToolContext): Promise<Output> | Output;
    internal?: boolean;
    maxResultChars?: number;
    /**
     * Makes the tool asynchronous: `execute` starts the work (handing `context.completion`
     * to whoever finishes it) and returns; the run waits for the result without holding a
     * worker slot, for up to `timeout`.
     */
    async?: AsyncToolOptions;
  } & ApprovalOptions<z.output<Input>>,
): ToolDefinition<Input, Output> {
  const { name, description, input, execute, needsApproval, approvalTimeoutMs, onApprovalTimeout, internal, maxResultChars } = definition;
  if (typeof name !== 'string' || !toolNamePattern.test(name)) {
    throw new InvalidDefinitionError(
      `Invalid tool name ${JSON.stringify(name)}: use 1-64 letters, digits, '_' or '-'.`,
      'Model APIs accept only such names for tools.',
    );
  }
  if (typeof description !== 'string' || description.trim() === '') {
    throw new InvalidDefinitionError(`Tool '${name}' has no description.`, 'The model chooses tools by their description: say what it does and when to use it.');
  }
  if (!(input instanceof z.ZodType)) {
    throw new InvalidDefinitionError(`Tool '${name}' needs a zod schema as 'input'.`, 'For example: input: z.object({ query: z.string() }).');
  }
  const schema = toolParameters(name, input);
  if (schema.type !== 'object') {
    throw new InvalidDefinitionError(`Tool '${name}' must take an object as input, not ${String(schema.type)}.`, 'Wrap the arguments in z.object({...}).');
  }
  if (typeof execute !== 'function') {
    throw new InvalidDefinitionError(`Tool '${name}' has no execute function.`);
  }
  if (needsApproval !== undefined && typeof needsApproval !== 'boolean' && typeof needsApproval !== 'function') {
    throw new InvalidDefinitionError(`Tool '${name}': needsApproval must be true, false or a function of the arguments.`);
  }
  if (approvalTimeoutMs !== undefined && !(Number.isInteger(approvalTimeoutMs) && approvalTimeoutMs > 0)) {
    throw new InvalidDefinitionError(`Tool '${name}': approvalTimeoutMs must be a positive number of milliseconds.`);
  }
  if (onApprovalTimeout !== undefined && onApprovalTimeout !== 'deny' && onApprovalTimeout !== 'approve') {
    throw new InvalidDefinitionError(`Tool '${name}': onApprovalTimeout must be 'deny' or 'approve'.`);
  }
  if (maxResultChars !== undefined && !(Number.isInteger(maxResultChars) && maxResultChars >= 1_000)) {
    throw new InvalidDefinitionError(`Tool '${name}': maxResultChars must be a whole number of at least 1000.`);
  }
  const asyncOptions = definition.async === undefined ? undefined : checkAsync(name, definition.async);
  if (asyncOptions && internal) throw new InvalidDefinitionError(`Tool '${name}' cannot be both internal and async.`);
  return { kind: 'tool', name, description, input, execute, needsApproval, approvalTimeoutMs, onApprovalTimeout, internal, maxResultChars, ...(asyncOptions ? { async: asyncOptions } : {}) };
}

function checkAsync(name: string, options: AsyncToolOptions): { timeoutMs: number; onTimeout: { result: unknown } | 'error' } {
  let timeoutMs = Number.NaN;
  try {
    timeoutMs = msToNumber(options?.timeout);
  } catch {
    // reported below
  }
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 1_000)) {
    throw new InvalidDefinitionError(`Tool '${name}': async.timeout must be at least a second, as milliseconds or a duration such as '2 hours'; got ${JSON.stringify(options?.timeout)}.`);
  }
  const { onTimeout = 'error' } = options;
  if (onTimeout !== 'error' && !(typeof onTimeout === 'object' && onTimeout !== null && 'result' in onTimeout)) {
    throw new InvalidDefinitionError(`Tool '${name}': async.onTimeout must be 'error' or { result: <what the model is handed> }.`);
  }
  return { timeoutMs, onTimeout };
}

function toolParameters(name: string, input: z.ZodType): Record<string, unknown> {
  try {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(input, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
    return schema;
  } catch (error) {
    throw new InvalidDefinitionError(
      `Tool '${name}' has an input schema that cannot be shown to a model as JSON Schema: ${(error as Error).message}`,
      'Avoid transforms, dates and other types JSON Schema cannot describe in tool inputs.',
    );
  }
}

/** The tool as the model sees it. */
export function describeTool(tool: { name: string; description: string; input: z.ZodType }): ToolDescriptor {
  return { name: tool.name, description: tool.description, parameters: toolParameters(tool.name, tool.input) };
}

/** A tool's result as the model reads it: text as it is, anything else as JSON. */
export function toolResultText(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result === undefined) return '';
  return JSON.stringify(result) ?? '';
}
