/**
 * A Temporal namespace of a test's own, with Cairn's search attributes: for tests
 * that count every run in a namespace (`cairn stats`), so other tests' runs on the
 * same server do not count.
 */
import { Connection } from '@temporalio/client';
import Long from 'long';
import { ensureSearchAttributes } from '@cairn/core/temporal';
import { eventually } from './eventually.ts';

export async function createTestNamespace(address: string, name = `test-${process.pid}-${Date.now().toString(36)}`): Promise<string> {
  const connection = await Connection.connect({ address });
  try {
    // A day is the shortest retention the server accepts; the test server is thrown away sooner.
    await connection.workflowService.registerNamespace({ namespace: name, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) } });
    // The server's namespace cache learns of a new namespace within a few seconds.
    await eventually(async () => (await ensureSearchAttributes(connection, name).then(() => true).catch(() => false)) || undefined, `namespace ${name} to be ready`);
    await eventually(async () => (await connection.workflowService.listWorkflowExecutions({ namespace: name }).then(() => true).catch(() => false)) || undefined, `namespace ${name} to answer`);
    return name;
  } finally {
    await connection.close();
  }
}
