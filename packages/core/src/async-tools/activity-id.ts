/** The activity an asynchronous tool call waits in: the workflow schedules it under this id, and completers find it by it. */
export function asyncCallActivityId(callId: string): string {
  return `async-${callId}`;
}
