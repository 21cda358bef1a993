import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { optionalTsToDate, requiredTsToDate } from '@temporalio/common/lib/time.js';
import type { TypedSearchAttributes } from '@temporalio/common';
// A CommonJS package: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';

/** A run as visibility lists it. `memo` is undefined when this client cannot decode it. */
export interface ListedExecution {
  workflowId: string;
  type: string;
  /** As the SDK names it: RUNNING, COMPLETED, CANCELLED, … */
  status: WorkflowExecutionStatusName;
  startTime: Date;
  closeTime?: Date;
  typedSearchAttributes: TypedSearchAttributes;
  memo?: Record<string, unknown>;
}

const statusNames = proto.temporal.api.enums.v1.WorkflowExecutionStatus;

/** The SDK's name for a status, which spells CANCELED as CANCELLED; the same name `describe()` gives. */
function statusName(code: proto.temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined): WorkflowExecutionStatusName {
  const name = statusNames[code ?? 0]?.replace('WORKFLOW_EXECUTION_STATUS_', '');
  if (name === undefined) return 'UNKNOWN';
  return (name === 'CANCELED' ? 'CANCELLED' : name) as WorkflowExecutionStatusName;
}

/**
 * Lists executions page by page, decoding each run's memo on its own. The SDK's
 * `workflow.list` decodes every memo inside its iterator, so one run whose memo this
 * client cannot decode (encrypted with a key it lacks, or by another team's codec)
 * ends the whole listing; here that run is listed without its memo instead. A caller
 * that needs no memo (`memo: false`) decodes none: with encryption on, each is a decryption.
 */
export async function* listExecutions(temporal: Client, query: string, options: { memo: boolean }): AsyncGenerator<ListedExecution> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await temporal.workflowService.listWorkflowExecutions({ namespace: temporal.options.namespace, query, nextPageToken });
    for (const raw of page.executions) {
      const workflowId = raw.execution?.workflowId ?? '';
      yield {
        workflowId,
        type: raw.type?.name ?? '',
        status: statusName(raw.status),
        startTime: requiredTsToDate(raw.startTime, 'startTime'),
        closeTime: optionalTsToDate(raw.closeTime),
        typedSearchAttributes: decodeTypedSearchAttributes(raw.searchAttributes?.indexedFields),
        memo: options.memo ? await memoOf(temporal, workflowId, raw.memo?.fields) : undefined,
      };
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/** The memo decoded, or undefined when this client cannot decode it. */
function memoOf(temporal: Client, workflowId: string, fields: Parameters<typeof decodeMapFromPayloads>[1]): Promise<Record<string, unknown> | undefined> {
  return decodeMapFromPayloads(temporal.options.loadedDataConverter, fields, { type: 'workflow', namespace: temporal.options.namespace, workflowId }).catch(() => undefined);
}
