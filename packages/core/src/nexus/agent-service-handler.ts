/**
 * The handling side of `cairn-agents`: each `runAgent` starts an ordinary run
 * of an exposed agent in this worker's namespace, and the caller awaits its
 * result through Nexus. Only the agents the config names are reachable, and the
 * request is checked like any other run's input.
 */
import * as nexus from 'nexus-rpc';
import { startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import { TypedSearchAttributes } from '@temporalio/common';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import { runDetails, runSummary } from '../workflow/summaries.ts';
import type { AgentRunInput } from '../workflow/run-types.ts';
import { cairnAgentService, type NexusAgentRequest, type NexusAgentResult } from './agent-service.ts';

/** A run's input must fit in history: this service has no blob store of the caller's to pass larger ones by key. */
const maxInputBytes = 64 * 1024;

export function cairnAgentServiceHandler(agents: AgentRegistry, exposed: readonly string[], taskQueue: string) {
  return nexus.serviceHandler(cairnAgentService, {
    runAgent: new WorkflowRunOperationHandler<NexusAgentRequest, NexusAgentResult>(async (context, request) => {
      const { agent, input } = checkRequest(request, agents, exposed);
      const runInput: AgentRunInput = { agent, input };
      // The request id is the same on every retry of this start: the server dedupes it into one run.
      return startWorkflow(context, 'agentWorkflow', {
        workflowId: `${agent}-nexus-${context.requestId}`,
        taskQueue,
        args: [runInput],
        staticSummary: runSummary(agent, input),
        staticDetails: runDetails({ agent, taskQueue }) + (request.caller ? `\n\n**Called over Nexus by** ${request.caller}` : ''),
        typedSearchAttributes: new TypedSearchAttributes([
          { key: CairnSearchAttributes.agent, value: agent },
          { key: CairnSearchAttributes.state, value: 'starting' },
        ]),
      });
    }),
  });
}

function checkRequest(request: NexusAgentRequest, agents: AgentRegistry, exposed: readonly string[]): { agent: string; input: string } {
  const bad = (message: string) => new nexus.HandlerError('BAD_REQUEST', message);
  if (typeof request !== 'object' || request === null || typeof request.agent !== 'string' || typeof request.input !== 'string') {
    throw bad('Expected {"agent": "<name>", "input": "<task>"}.');
  }
  const { agent, input } = request;
  if (!exposed.includes(agent) || !agents.has(agent)) throw bad(`Agent '${agent}' is not exposed over Nexus here. Exposed: ${exposed.join(', ') || '(none)'}.`);
  if (input.trim() === '') throw bad('The input is empty: the agent has nothing to do.');
  if (Buffer.byteLength(input) > maxInputBytes) throw bad(`The input is larger than ${maxInputBytes / 1024} KB: name large material instead of sending it.`);
  const schema = agents.get(agent).input;
  if (schema) {
    let json: unknown;
    try {
      json = JSON.parse(input);
    } catch {
      throw bad(`Agent '${agent}' takes JSON input (it declares an input schema), and the input is not JSON.`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw bad(`The input does not match agent '${agent}'s input schema: ${parsed.error.message}`);
    return { agent, input: JSON.stringify(parsed.data) };
  }
  return { agent, input };
}
