export { MockModelServer, type MockModelServerOptions } from './mock-model-server.ts';
export { lastMessage, toolResults } from './conversation.ts';
export type {
  MockFormat,
  MockMessage,
  MockRequest,
  MockToolResult,
  ReplyHandler,
  ScriptedFault,
  ScriptedReply,
  ScriptedStopReason,
  ScriptedToolCall,
  ScriptedUsage,
} from './scripted-reply.ts';
export { startTestStack, mockModelEnv, type TestStack, type TestStackOptions } from './test-stack.ts';
export { eventually } from './eventually.ts';
export { createTestNamespace } from './test-namespace.ts';
export { completedActivities, completingAttempts } from './history.ts';
export { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts';
export { startPostgres, postgresBinDirectory, type PostgresServer } from './postgres-server.ts';
export { startS3Server, seaweedfs, type S3Server } from './s3-server.ts';
export { orderDeskServer, startMcpHttpServer, mcpStdioServerCommand, type McpCall, type McpHttpServer } from './mcp-test-server.ts';
export { transferTool, type Transfer } from './transfer-tool.ts';
