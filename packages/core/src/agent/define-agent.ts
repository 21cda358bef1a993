import { InvalidDefinitionError } from '../errors.ts';
import { z } from 'zod';
import type { AgentSpec, ToolSpec } from './spec.ts';
import { type AnyTool, describeTool, toolResultText } from './define-tool.ts';
import type { AskHumanTool } from './ask-human.ts';
import type { NexusAgentTool } from '../nexus/nexus-agent-tool.ts';
import type { BudgetLimits } from '../budget/budget-ledger.ts';
import { defaultBudgetPolicy, type ChildBudgetPolicy, type ExhaustionBehaviour } from '../budget/budget-policy.ts';
import { defaultContextPolicy, type ContextPolicy } from '../context/context-policy.ts';
import { checkMcpServer, type McpServer, type McpServerOptions } from '../mcp/mcp-server.ts';

/** `<provider>:<model>`: `openai:gpt-4.1`, `anthropic:claude-sonnet-4-5`, or a provider of the config's own (`defineProvider`). */
export type ModelId = `${string}:${string}`;

const providerIdPattern = /^[a-z][a-z0-9-]{0,31}$/;

export interface AgentOptions {
  /** Unique among the agents a worker serves; used in run ids and on the CLI. */
  name: string;
  /** `openai:<model>` (also any OpenAI-compatible server through OPENAI_BASE_URL) or `anthropic:<model>`. */
  model: ModelId;
  /** The system prompt. */
  instructions: string;
  /** Tools made with defineTool, the built-in askHuman(), and agents of other namespaces (nexusAgent()). */
  tools?: (AnyTool | AskHumanTool | NexusAgentTool)[];
  /** Agents this one may delegate to: each becomes a `delegate_to_<name>` tool whose calls run as child workflows. */
  subAgents?: AgentDefinition[];
  /**
   * MCP servers whose tools the agent offers: `{ name, command, args, env }` (stdio) or
   * `{ name, url, headers }` (streamable HTTP). Their tools are listed when a run starts and
   * recorded with it; each call is an activity. `env` and `headers` never reach history.
   */
  mcpServers?: McpServerOptions[];
  /** Sub-agent runs of one run at once; further delegations wait their turn. Default 4. */
  maxConcurrentChildren?: number;
  /** How many levels of sub-agents may nest below a run of this agent. Default 3. */
  maxDepth?: number;
  /** One line on what this agent is good for: the description of its delegate tool. */
  description?: string;
  /** Default limits of a run of this agent (a run can override them). Tokens default to 1,000,000. */
  budget?: Partial<BudgetLimits>;
  /** What happens when the budget runs out: 'stop', 'wrapUp' (default) or 'ask'. */
  onBudgetExhausted?: ExhaustionBehaviour;
  /** With 'wrapUp': tokens kept back for the final answer. Default 2,048. */
  wrapUpReserveTokens?: number;
  /** How the budget is shared with sub-agents. */
  childBudget?: ChildBudgetPolicy;
  /** The loop stops after this many model calls. Default 20. */
  maxTurns?: number;
  /** Cap on each model call's output. Default 4096. */
  maxOutputTokens?: number;
  /** Tool calls of one turn that run at once. Default 4. */
  toolConcurrency?: number;
  /**
   * What a run of this agent starts from, as a zod object schema. A parent's
   * delegation tool then takes these arguments (checked before the sub-agent
   * starts), and the agent reads them as JSON. Default: a free-text task.
   */
  input?: z.ZodType;
  /**
   * What a run returns, as a zod object schema. The provider is asked for
   * structured output, the final reply is checked against the schema, and a
   * reply that breaks it goes back to the model with what is wrong, up to
   * `outputRepairs` times; after that the run fails. Default: text.
   */
  output?: z.ZodType;
  /** How many times a final reply that breaks `output` is sent back to be fixed. Default 2. */
  outputRepairs?: number;
  /**
   * How the conversation is kept within the model's context window. `window` defaults to
   * the model's known window (the config's `contextWindows`, else the provider's table);
   * with none known, nothing is compacted. `false` turns compaction off.
   */
  context?: Partial<ContextPolicy> | false;
}

/** What a run of an agent defined with this schema (or none) takes or returns. */
type Typed<Schema, Direction extends 'input' | 'output'> = [Schema] extends [z.ZodType] ? (Direction extends 'input' ? z.input<Schema> : z.output<Schema>) : string;

/** An agent whose runs take `Input` and return `Output` (both `string` unless it declares schemas). */
export interface AgentDefinition<Input = unknown, Output = unknown> {
  readonly kind: 'agent';
  readonly name: string;
  /** The tools that run as activities, by name. */
  readonly tools: ReadonlyMap<string, AnyTool>;
  readonly subAgents: readonly AgentDefinition[];
  /** The MCP servers the worker reaches for this agent's MCP tools. */
  readonly mcpServers?: readonly McpServer[];
  readonly description?: string;
  /** The serialisable form the workflow runs from. */
  readonly spec: AgentSpec;
  /** The agent's own context settings (`AgentOptions.context`), completed when a run starts. */
  readonly context?: Partial<ContextPolicy> | false;
  /** The zod schemas the worker checks a delegation's arguments and the final reply against. */
  readonly input?: z.ZodType;
  readonly output?: z.ZodType;
  /** Types only, never set: what `CairnClient.start` takes and `result` returns for this agent. */
  readonly types?: { input: Input; output: Output };
}

const agentNamePattern = /^[a-z][a-z0-9_-]{0,62}$/;

/** What a run of the agent takes: `AgentInput<typeof researcher>`. */
export type AgentInput<Agent> = Agent extends AgentDefinition<infer Input, unknown> ? Input : never;
/** What a run of the agent returns as its `value`: `AgentOutput<typeof researcher>`. */
export type AgentOutput<Agent> = Agent extends AgentDefinition<unknown, infer Output> ? Output : never;

/** Defines an agent. Everything is checked here, so a bad definition fails at start-up, not mid-run. */
export function defineAgent<In extends z.ZodType = never, Out extends z.ZodType = never>(
  options: AgentOptions & { input?: In; output?: Out },
): AgentDefinition<Typed<In, 'input'>, Typed<Out, 'output'>> {
  const { name, model, instructions, tools = [], subAgents = [], maxTurns = 20, maxOutputTokens = 4096, toolConcurrency = 4, maxConcurrentChildren = 4, maxDepth = 3, outputRepairs = 2 } = options;
  if (typeof name !== 'string' || !agentNamePattern.test(name)) {
    throw new InvalidDefinitionError(
      `Invalid agent name ${JSON.stringify(name)}: use lower-case letters, digits, '-' or '_', starting with a letter.`,
    );
  }
  const [provider, modelName] = splitModelId(String(model));
  // Which providers exist is the worker's config's to say (`ProviderRegistry`): here, only the shape.
  if (!providerIdPattern.test(provider) || !modelName) {
    throw new InvalidDefinitionError(
      `Agent '${name}' has model ${JSON.stringify(model)}; expected '<provider>:<model>', such as 'openai:gpt-4.1' or 'anthropic:claude-sonnet-4-5'.`,
      'For an OpenAI-compatible server use openai:<model> and set OPENAI_BASE_URL, or define a provider of its own with openaiCompatible().',
    );
  }
  if (typeof instructions !== 'string' || instructions.trim() === '') {
    throw new InvalidDefinitionError(`Agent '${name}' has no instructions.`);
  }
  if (!Number.isInteger(outputRepairs) || outputRepairs < 0) {
    throw new InvalidDefinitionError(`Agent '${name}': outputRepairs must be a whole number, got ${JSON.stringify(outputRepairs)}.`);
  }
  const output = options.output === undefined ? undefined : { ...objectSchema(name, 'output', options.output), repairs: outputRepairs };
  const input = options.input === undefined ? undefined : objectSchema(name, 'input', options.input).schema;
  for (const [option, value] of Object.entries({ maxTurns, maxOutputTokens, toolConcurrency, maxConcurrentChildren, maxDepth })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidDefinitionError(`Agent '${name}': ${option} must be a positive integer, got ${JSON.stringify(value)}.`);
    }
  }
  const functionTools = new Map<string, AnyTool>();
  const toolSpecs: ToolSpec[] = [];
  const claim = (toolName: string) => {
    if (toolSpecs.some((spec) => spec.name === toolName)) throw new InvalidDefinitionError(`Agent '${name}' has two tools named '${toolName}'.`);
    if (output && toolName === output.name) {
      throw new InvalidDefinitionError(`Agent '${name}' has a tool named '${toolName}', which its output schema needs for itself.`, 'Rename the tool.');
    }
  };
  for (const tool of tools) {
    if (tool?.kind === 'tool') {
      claim(tool.name);
      functionTools.set(tool.name, tool);
      const approval = tool.needsApproval === true ? 'always' : typeof tool.needsApproval === 'function' ? 'conditional' : undefined;
      toolSpecs.push({
        ...describeTool(tool),
        kind: 'function',
        approval,
        approvalTimeoutMs: tool.approvalTimeoutMs,
        onApprovalTimeout: tool.onApprovalTimeout,
        ...(tool.internal ? { internal: true } : {}),
        ...(tool.async ? { async: { timeoutMs: tool.async.timeoutMs, ...(tool.async.onTimeout === 'error' ? {} : { onTimeout: toolResultText(tool.async.onTimeout.result) }) } } : {}),
      });
    } else if (tool?.kind === 'nexus_agent') {
      claim(tool.name);
      toolSpecs.push({
        name: tool.name,
        description: `${tool.description} (The ${tool.agent} agent, run by another team's workers; it works on its own and returns its final answer.)`,
        parameters: tool.input ? describeTool({ name: tool.name, description: tool.description, input: tool.input }).parameters : taskParameters,
        kind: 'nexus',
        endpoint: tool.endpoint,
        agent: tool.agent,
        timeoutMs: tool.timeoutMs,
        ...(tool.input ? { typedInput: true } : {}),
      });
    } else if (tool?.kind === 'ask_human') {
      claim(tool.name);
      toolSpecs.push({ ...describeTool(tool), kind: 'ask_human', timeoutMs: tool.timeoutMs, defaultAnswer: tool.defaultAnswer });
    } else {
      throw new InvalidDefinitionError(`Agent '${name}' lists something that is not a tool: make each one with defineTool(), askHuman() or nexusAgent().`);
    }
  }
  for (const sub of subAgents) {
    if (sub?.kind !== 'agent') throw new InvalidDefinitionError(`Agent '${name}' lists a sub-agent that is not an agent: make each one with defineAgent().`);
    const toolName = delegateToolName(sub.name);
    claim(toolName);
    const returns = sub.spec.output ? `its final answer as JSON matching ${JSON.stringify(sub.spec.output.schema)}` : 'its final answer';
    toolSpecs.push({
      name: toolName,
      description: `Delegate a task to the ${sub.name} agent${sub.description ? `: ${sub.description}` : '.'} It works on its own and returns ${returns}.`,
      parameters: sub.spec.input ?? taskParameters,
      kind: 'sub_agent',
      agent: sub.name,
      ...(sub.spec.input ? { typedInput: true } : {}),
    });
  }
  const mcpServers = (options.mcpServers ?? []).map((server) => checkMcpServer(name, server));
  const serverNames = mcpServers.map((server) => server.name);
  const twice = serverNames.find((server, index) => serverNames.indexOf(server) !== index);
  if (twice) throw new InvalidDefinitionError(`Agent '${name}' has two MCP servers named '${twice}'.`);
  const budget = defaultBudgetPolicy(options.budget);
  for (const [dimension, value] of Object.entries(budget.limits)) {
    if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new InvalidDefinitionError(`Agent '${name}': budget.${dimension} must be a positive number, got ${JSON.stringify(value)}.`);
    }
  }
  if (options.onBudgetExhausted !== undefined) {
    if (!['stop', 'wrapUp', 'ask'].includes(options.onBudgetExhausted)) {
      throw new InvalidDefinitionError(`Agent '${name}': onBudgetExhausted must be 'stop', 'wrapUp' or 'ask'.`);
    }
    budget.onExhausted = options.onBudgetExhausted;
  }
  if (options.wrapUpReserveTokens !== undefined) budget.wrapUpReserveTokens = options.wrapUpReserveTokens;
  const { share, splitShare, floorTokens } = options.childBudget ?? {};
  for (const [option, value] of Object.entries({ share, splitShare })) {
    if (value !== undefined && !(value > 0 && value <= 1)) throw new InvalidDefinitionError(`Agent '${name}': childBudget.${option} must be a fraction in (0, 1].`);
  }
  budget.children = { share, splitShare: splitShare ?? budget.children.splitShare, floorTokens: floorTokens ?? budget.children.floorTokens };
  return {
    kind: 'agent',
    name,
    tools: functionTools,
    subAgents,
    ...(mcpServers.length > 0 ? { mcpServers } : {}),
    description: options.description,
    spec: { name, model, instructions, tools: toolSpecs, maxTurns, maxOutputTokens, toolConcurrency, maxConcurrentChildren, maxDepth, budget, ...(input ? { input } : {}), ...(output ? { output } : {}) },
    ...(options.input ? { input: options.input } : {}),
    ...(options.output ? { output: options.output } : {}),
    ...(options.context !== undefined ? { context: checkedContext(name, options.context, maxOutputTokens) } : {}),
  };
}

function checkedContext(agent: string, context: Partial<ContextPolicy> | false, maxOutputTokens: number): Partial<ContextPolicy> | false {
  if (context === false) return false;
  const { window, compactAt, compactTo, keepRecent, summaryMaxTokens } = { ...defaultContextPolicy, ...context };
  const fail = (problem: string) => {
    throw new InvalidDefinitionError(`Agent '${agent}': context.${problem}`);
  };
  if (window !== undefined) checkWindow(agent, window, maxOutputTokens, summaryMaxTokens);
  if (!(compactAt > 0 && compactAt <= 1)) fail(`compactAt must be a share of the window in (0, 1], got ${JSON.stringify(compactAt)}.`);
  if (!(compactTo > 0 && compactTo <= compactAt)) fail(`compactTo must be a share of the window in (0, compactAt], got ${JSON.stringify(compactTo)}.`);
  if (!Number.isInteger(keepRecent) || keepRecent < 1) fail(`keepRecent must be a positive whole number of messages, got ${JSON.stringify(keepRecent)}.`);
  if (!Number.isInteger(summaryMaxTokens) || summaryMaxTokens < 64) fail(`summaryMaxTokens must be a whole number of at least 64, got ${JSON.stringify(summaryMaxTokens)}.`);
  return context;
}

/** A window must hold a reply and a summary with room to spare, or compaction cannot help. */
export function checkWindow(agent: string, window: number, maxOutputTokens: number, summaryMaxTokens: number): void {
  const least = 2 * Math.max(maxOutputTokens, summaryMaxTokens);
  if (!Number.isInteger(window) || window < least) {
    throw new InvalidDefinitionError(
      `Agent '${agent}': a context window of ${JSON.stringify(window)} tokens cannot hold its replies (maxOutputTokens ${maxOutputTokens}) and what leads to them.`,
      `Give a window of at least ${least.toLocaleString('en-US')} tokens, or lower maxOutputTokens.`,
    );
  }
}

/** The name of the tool an output schema becomes where a provider takes structured output as a forced tool call. */
export const outputToolName = 'final_answer';

/** An agent's input or output schema as a model is shown it: a JSON Schema object. */
function objectSchema(agent: string, which: 'input' | 'output', schema: z.ZodType): { name: string; description: string; schema: Record<string, unknown> } {
  if (!(schema instanceof z.ZodType)) {
    throw new InvalidDefinitionError(`Agent '${agent}' needs a zod schema as '${which}'.`, `For example: ${which}: z.object({ summary: z.string() }).`);
  }
  const described = (() => {
    try {
      return describeTool({ name: outputToolName, description: schema.description ?? 'Give your final answer', input: schema });
    } catch (error) {
      throw new InvalidDefinitionError(`Agent '${agent}' has an ${which} schema that cannot be shown to a model as JSON Schema: ${(error as Error).message}`);
    }
  })();
  if (described.parameters.type !== 'object') {
    throw new InvalidDefinitionError(`Agent '${agent}': the ${which} schema must describe an object, not ${String(described.parameters.type)}.`, 'Wrap it in z.object({...}).');
  }
  return {
    name: outputToolName,
    description: `${schema.description ?? 'Your final answer'}. Call this once, when you are done, with the answer as its arguments.`,
    schema: described.parameters,
  };
}

/** What a delegation to an agent without an input schema takes: a task in words. */
const taskParameters = describeTool({
  name: 'delegate',
  description: 'Delegate a task.',
  input: z.object({ task: z.string().min(1).describe('The task, with all the context the sub-agent needs: it sees nothing else.') }),
}).parameters;

export function delegateToolName(agent: string): string {
  return `delegate_to_${agent.replace(/-/g, '_')}`;
}

/** `openai:gpt-4o` → ['openai', 'gpt-4o']; the model part may itself contain ':'. */
export function splitModelId(model: string): [string, string] {
  const colon = model.indexOf(':');
  return colon < 0 ? [model, ''] : [model.slice(0, colon), model.slice(colon + 1)];
}
