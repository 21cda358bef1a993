import type { AssistantMessage, Message, StopReason, TokenUsage } from '../messages.ts';

/** What a model is told about one tool. */
export interface ToolDescriptor {
  name: string;
  description: string;
  /** JSON Schema of the tool's arguments (an object schema). */
  parameters: Record<string, unknown>;
}

/**
 * Structured output: the final reply must be JSON matching `schema`. Providers
 * ask for it their own way (a JSON-schema response format, or a forced tool
 * named `name`); the model activity checks the reply either way.
 */
export interface OutputFormat {
  name: string;
  description: string;
  /** JSON Schema of the reply (an object schema). */
  schema: Record<string, unknown>;
}

export interface ModelRequest {
  /** The provider's model name, without the `provider:` prefix. */
  model: string;
  instructions: string;
  messages: Message[];
  tools: ToolDescriptor[];
  /** Upper bound on output tokens for this call. */
  maxOutputTokens: number;
  /** The agent returns structured output: a reply without tool calls must be JSON matching it. */
  output?: OutputFormat;
  /**
   * Set when someone follows the run: the provider streams the reply and calls this with
   * the text so far (and the input tokens, once the provider has said). Providers that do
   * not stream may ignore it; the reply is the same either way.
   */
  onStream?: (progress: StreamProgress) => void;
  signal?: AbortSignal;
}

export interface StreamProgress {
  /** The reply's text so far. */
  text: string;
  /** Input tokens as the provider counted them, when it says before the end (Anthropic does). */
  inputTokens?: number;
}

export interface ModelResponse {
  /** With `output`, an answer comes as text: the JSON itself, whichever way the provider delivered it. */
  message: AssistantMessage;
  usage: TokenUsage;
  stopReason: StopReason;
  /** The provider's own model id as it reported it, when it does. */
  modelVersion?: string;
}

/**
 * One model API. Adapters call their official SDK with its own retries turned
 * off (Temporal owns retries) and throw `ModelCallError`s from `./model-errors.ts`
 * so that the activity can tell transient from final failures.
 */
export interface ModelProvider {
  readonly name: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
}
