export { defineTool, type ToolDefinition, type ToolContext, type AnyTool, type AsyncCompletion, type AsyncToolOptions } from './agent/define-tool.ts';
export { startCallbackServer, type CallbackServer, type CallbackServerOptions } from './async-tools/callback-server.ts';
export { callbackSecret, callbackToken, callbackBaseUrl } from './async-tools/callbacks.ts';
export { ToolError, type ToolErrorKind } from './agent/tool-error.ts';
export { defineAgent, type AgentDefinition, type AgentInput, type AgentOptions, type AgentOutput, type ModelId } from './agent/define-agent.ts';
export type { AgentSpec } from './agent/spec.ts';
export type { Message, UserMessage, AssistantMessage, ToolResultMessage, ToolCall, TokenUsage, StopReason } from './messages.ts';
export type { ModelProvider, ModelRequest, ModelResponse, ToolDescriptor } from './providers/provider.ts';
export { defineProvider, type ProviderDefinition, type ProviderEnv, type ProviderOptions } from './providers/define-provider.ts';
export { openaiCompatible, type OpenAICompatibleOptions } from './providers/openai-compatible.ts';
export { OpenAIProvider, type OpenAIProviderOptions } from './providers/openai.ts';
export { AnthropicProvider, type AnthropicProviderOptions } from './providers/anthropic.ts';
export { ModelCallError, kindForStatus, retryAfterMs, type ModelErrorKind } from './providers/model-errors.ts';
export {
  CairnError,
  isCairnError,
  InvalidDefinitionError,
  UnknownAgentError,
  UnknownRunError,
  MissingApiKeyError,
  ServerUnreachableError,
} from './errors.ts';
export { defineConfig, type CairnConfig, type JobActivities, type JobActivityDependencies } from './config/define-config.ts';
export { CairnClient, type CairnClientOptions, type RunSummary, type RunTree, type StartedRun } from './client/cairn-client.ts';
export { AmbiguousPendingError, type InboxItem } from './client/human-input.ts';
export type { RunRecord, ToolCallRecord, TurnRecord } from './client/run-record.ts';
export { badBuildPoint, type RewindPoint, type RewoundRun, type RunOnBuild } from './client/rewind.ts';
export { askHuman, type AskHumanTool } from './agent/ask-human.ts';
export { nexusAgent, type NexusAgentTool, type NexusAgentToolOptions } from './nexus/nexus-agent-tool.ts';
export { cairnAgentService, type NexusAgentRequest, type NexusAgentResult } from './nexus/agent-service.ts';
export type { McpServerOptions, McpStdioServerOptions, McpHttpServerOptions, McpNeedsApproval } from './mcp/mcp-server.ts';
export type { PendingItem, PendingQuestion, PendingApproval, PendingAsyncCall } from './workflow/human-inbox.ts';
export type { AgentRunInput, AgentRunResult, ChildRun, RunOptions, RunState, RunStatus, ToolCallStatus } from './workflow/run-types.ts';
export type { BudgetLimits, BudgetDimension, Amount } from './budget/budget-ledger.ts';
export type { ExhaustionBehaviour, ChildBudgetPolicy } from './budget/budget-policy.ts';
export { defaultPrices, costOf, type ModelPrice, type PriceTable } from './budget/prices.ts';
export type { UsageBreakdown, UsageTotals } from './budget/usage-breakdown.ts';
export type { BudgetStatus } from './workflow/run-budget.ts';
