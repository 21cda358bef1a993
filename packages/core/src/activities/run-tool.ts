import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import { z } from 'zod';
import type { FinishAsyncToolInput, PrepareToolCallInput, PrepareToolCallOutput, RunToolInput, RunToolOutput } from '../activity-contract.ts';
import { callbackToken, callbackUrl } from '../async-tools/callbacks.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import { toolResultText, type AnyTool, type ToolContext } from '../agent/define-tool.ts';
import { delegateToolName } from '../agent/define-agent.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { toActivityFailure } from './failures.ts';
import { withHeartbeat } from './heartbeat.ts';
import { redact } from '../redact.ts';
import { ToolError } from '../agent/tool-error.ts';
import { withinStep } from '../telemetry/within-step.ts';
import { claimedTextNote, maxInlineBytes } from '../transcript/claim-check.ts';
import { McpUnavailableError, type McpConnections } from '../mcp/mcp-connections.ts';
import { mcpResultText } from '../mcp/mcp-tools.ts';

const previewLength = 280;
export const defaultMaxResultChars = 100_000;
/** Attempts a transient or rate-limited tool failure gets (Temporal retries them) before the model is told. */
export const toolAttempts = 3;

/**
 * One tool call. Whatever the model got wrong — an unknown tool, arguments that
 * are not JSON or do not match the schema — and whatever the tool throws goes
 * back to the model as an error result, so the run carries on and the model can
 * correct itself. The result is stored out of history; the workflow gets a key.
 */
export function toolActivities(agents: AgentRegistry, blobs: BlobStore, mcp: McpConnections, callbackSecret: () => string) {
  return {
    // The whole call heartbeats: reading arguments from and storing the result in a remote store takes time too.
    runTool: (input: RunToolInput): Promise<RunToolOutput> => withHeartbeat(() => runTool(input)),
    startAsyncTool,
    finishAsyncTool,
  };

  async function runTool(input: RunToolInput): Promise<RunToolOutput> {
    let outcome: { content: string; isError: boolean; unavailable?: boolean };
    try {
      outcome = input.mcp ? await callMcpTool(input, input.mcp) : await execute(input);
    } catch (error) {
      throw toActivityFailure(error);
    }
    return stored(input, outcome);
  }

  /**
   * Starts an asynchronous tool's work, then leaves the activity open without holding a slot:
   * whoever finishes the work completes it (`AsyncCompletion`). Arguments the tool refuses,
   * and a start that fails, fail the call at once.
   */
  async function startAsyncTool(input: RunToolInput): Promise<unknown> {
    const activity = Context.current();
    const runId = input.runId;
    const secret = callbackSecret();
    const completion = {
      runId,
      callId: input.toolCallId,
      taskToken: Buffer.from(activity.info.taskToken).toString('base64'),
      callbackUrl: callbackUrl(runId, input.toolCallId),
      callbackToken: callbackToken(secret, runId, input.toolCallId),
    };
    let outcome: { content: string; isError: boolean };
    try {
      outcome = await execute(input, completion);
    } catch (error) {
      throw toActivityFailure(error);
    }
    if (outcome.isError) throw ApplicationFailure.create({ type: 'AsyncToolNotStarted', message: outcome.content, nonRetryable: true });
    // What execute returned names the work it started (a ticket, a build): the worker's log keeps it.
    activity.log.info('Asynchronous tool call started; waiting for its result from outside', { tool: input.toolName, callId: input.toolCallId, handle: outcome.content.slice(0, 500) });
    throw new CompleteAsyncError();
  }

  /** What came back for an asynchronous call, stored as any tool result is. */
  async function finishAsyncTool(input: FinishAsyncToolInput): Promise<RunToolOutput> {
    try {
      return await stored(input, { content: toolResultText(input.result), isError: input.isError });
    } catch (error) {
      throw toActivityFailure(error);
    }
  }

  async function stored(input: { agent: string; toolName: string; returnContent?: boolean }, result: { content: string; isError: boolean; unavailable?: boolean }): Promise<RunToolOutput> {
    let outcome = result;
    const limit = agents.get(input.agent).tools.get(input.toolName)?.maxResultChars ?? defaultMaxResultChars;
    if (outcome.content.length > limit) outcome = { ...outcome, content: await cutResult(blobs, outcome.content, limit) };
    const contentRef = await blobs.put(outcome.content);
    return {
      contentRef,
      isError: outcome.isError,
      bytes: Buffer.byteLength(outcome.content),
      preview: outcome.content.slice(0, previewLength),
      ...(input.returnContent ? { content: outcome.content } : {}),
      ...(outcome.unavailable ? { unavailable: true } : {}),
    };
  }

  /** A call to a tool of one of the agent's MCP servers: retried while the server is unreachable, then the model is told. */
  async function callMcpTool(input: RunToolInput, target: { server: string; tool: string }): Promise<{ content: string; isError: boolean; unavailable?: boolean }> {
    const server = agents.get(input.agent).mcpServers?.find((candidate) => candidate.name === target.server);
    if (!server) return toolError(`Tool '${input.toolName}' is unavailable: this worker's agent '${input.agent}' has no MCP server '${target.server}'.`);
    const args = parseJsonObject(input.toolName, await argumentsOf(input, blobs));
    if (!args.ok) return toolError(args.error);
    const activity = Context.current();
    try {
      const result = await withinStep(input.trace && { runId: input.runId, ...input.trace }, { tool: input.toolCallId }, () =>
        mcp.callTool(input.agent, server, target.tool, args.value, activity.cancellationSignal),
      );
      return { content: mcpResultText(result), isError: result.isError === true };
    } catch (error) {
      if (activity.cancellationSignal.aborted) throw error;
      if (error instanceof McpUnavailableError) {
        // Another attempt after Temporal's backoff: a server restarting, a network blip.
        if (activity.info.attempt < toolAttempts) throw new ToolError(error.message, { kind: 'transient', code: 'mcp_unavailable', cause: error });
        return { content: `Tool '${input.toolName}' failed (tried ${activity.info.attempt} times): ${error.message}`, isError: true, unavailable: true };
      }
      return toolError(`Tool '${input.toolName}' failed: ${(error as Error).message}`);
    }
  }

  async function execute(input: RunToolInput, completion?: ToolContext['completion']): Promise<{ content: string; isError: boolean }> {
    const agent = agents.get(input.agent);
    const tool = agent.tools.get(input.toolName);
    if (!tool) {
      return toolError(`There is no tool named '${input.toolName}'. Available tools: ${[...agent.tools.keys()].join(', ') || '(none)'}.`);
    }
    const args = parseArguments(tool, await argumentsOf(input, blobs));
    if (!args.ok) return toolError(args.error);

    const activity = Context.current();
    const context: ToolContext = {
      runId: input.runId,
      toolCallId: input.toolCallId,
      idempotencyKey: `${input.runId}/${input.toolCallId}`,
      agent: input.agent,
      signal: activity.cancellationSignal,
      heartbeat: (details) => activity.heartbeat(details),
      settings: input.settings ?? {},
      blobs,
      ...(completion ? { completion } : {}),
    };
    try {
      const result = await withinStep(input.trace && { runId: input.runId, ...input.trace }, { tool: input.toolCallId }, async () => tool.execute(args.value, context));
      return { content: toolResultText(result), isError: false };
    } catch (error) {
      // A cancelled run must stop, not hand the model a tool error.
      if (activity.cancellationSignal.aborted) throw error;
      // An internal step answers a workflow, not a model: its failure is retried, then fails the step.
      if (tool.internal) throw error;
      // A failure that may pass is retried by Temporal (after the tool's hint), a few times, before the model hears of it.
      if (error instanceof ToolError && error.kind !== 'fatal' && activity.info.attempt < toolAttempts) throw error;
      const tries = error instanceof ToolError && error.kind !== 'fatal' ? ` (tried ${activity.info.attempt} times)` : '';
      return toolError(redact(`Tool '${tool.name}' failed${tries}: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}

/**
 * Checks a gated call's arguments before anyone is asked to approve them, and
 * evaluates the tool's `needsApproval` predicate, which only the worker can run.
 */
export function prepareToolCallActivity(agents: AgentRegistry, blobs: BlobStore) {
  return async function prepareToolCall(input: PrepareToolCallInput): Promise<PrepareToolCallOutput> {
    try {
      if (input.mcp) return await prepareMcpCall(input, input.mcp);
      const agent = agents.get(input.agent);
      // A delegation to an agent with an input schema is checked against that schema, as a tool's arguments are.
      const delegate = agent.subAgents.find((sub) => delegateToolName(sub.name) === input.toolName);
      const tool = delegate?.input ? { name: input.toolName, input: delegate.input, needsApproval: false } : agent.tools.get(input.toolName);
      if (!tool) return { ok: false, error: `There is no tool named '${input.toolName}'.` };
      const args = parseArguments(tool, await argumentsOf(input, blobs));
      if (!args.ok) return args;
      const needsApproval = typeof tool.needsApproval === 'function' ? await tool.needsApproval(args.value) : tool.needsApproval === true;
      return withArguments(args.value, needsApproval);
    } catch (error) {
      throw toActivityFailure(error);
    }
  };

  /** An MCP tool's arguments are the server's to check: here, only that they are one JSON object, and whether the agent's rule asks first. */
  async function prepareMcpCall(input: PrepareToolCallInput, target: { server: string; tool: string }): Promise<PrepareToolCallOutput> {
    const server = agents.get(input.agent).mcpServers?.find((candidate) => candidate.name === target.server);
    if (!server) return { ok: false, error: `Tool '${input.toolName}' is unavailable: this worker's agent '${input.agent}' has no MCP server '${target.server}'.` };
    const args = parseJsonObject(input.toolName, await argumentsOf(input, blobs));
    if (!args.ok) return args;
    const rule = server.needsApproval;
    const needsApproval = typeof rule === 'function' ? await rule(target.tool, args.value) : Array.isArray(rule) ? rule.includes(target.tool) : rule === true;
    return withArguments(args.value, needsApproval);
  }

  /** The person deciding sees the arguments in the run's memo: large ones by their beginning, never copied whole. */
  async function withArguments(value: unknown, needsApproval: boolean): Promise<PrepareToolCallOutput> {
    const checked = JSON.stringify(value) ?? '';
    if (Buffer.byteLength(checked) > maxInlineBytes) return { ok: true, argumentsPreview: `${checked.slice(0, 2_000)} ${claimedTextNote(Buffer.byteLength(checked), await blobs.put(checked))}`, needsApproval };
    return { ok: true, arguments: value, needsApproval };
  }
}

function parseJsonObject(toolName: string, raw: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  try {
    const value: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ok: true, value: value as Record<string, unknown> };
  } catch {
    // reported below
  }
  return { ok: false, error: `Invalid arguments for '${toolName}': expected one JSON object. Send the arguments again as one JSON object.` };
}

/** The model's raw arguments, from history or (when too large for it) from the blob store. */
async function argumentsOf(input: { arguments: string; argumentsRef?: string }, blobs: BlobStore): Promise<string> {
  return input.argumentsRef ? blobs.get(input.argumentsRef) : input.arguments;
}

function parseArguments(tool: Pick<AnyTool, 'name' | 'input'>, raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch (error) {
    return { ok: false, error: `Invalid arguments for '${tool.name}': not valid JSON (${(error as Error).message}). Send the arguments again as one JSON object.` };
  }
  const parsed = tool.input.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: `Invalid arguments for '${tool.name}':\n${z.prettifyError(parsed.error)}\nFix the arguments and call the tool again.` };
  }
  return { ok: true, value: parsed.data };
}

/**
 * A result too large for the model's context (and too slow to count): the
 * model gets its head and a note; the whole result is kept in the blob store.
 */
async function cutResult(blobs: BlobStore, content: string, limit: number): Promise<string> {
  const fullRef = await blobs.put(content);
  return `${content.slice(0, limit)}\n\n[Result cut: it has ${content.length.toLocaleString('en-US')} characters and only the first ${limit.toLocaleString('en-US')} are shown. The full result is stored as blob ${fullRef}. Ask for less (a narrower query, a page range) if you need the rest.]`;
}

function toolError(message: string): { content: string; isError: true } {
  return { content: message, isError: true };
}

