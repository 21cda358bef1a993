import { homedir } from 'node:os';
import { join } from 'node:path';

/** Cairn's state directory: pid and log files, the embedded server's database, blobs. */
export function cairnHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAIRN_HOME ?? join(homedir(), '.cairn');
}

/** Where transcripts and tool results are stored; every worker of a task queue must share it. */
export function blobDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAIRN_BLOB_DIR ?? join(cairnHome(env), 'blobs');
}

export function taskQueue(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  return configured ?? env.CAIRN_TASK_QUEUE ?? 'cairn';
}
