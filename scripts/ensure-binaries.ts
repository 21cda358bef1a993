/**
 * Run by `npm test` before vitest: makes sure the programs the tests run exist
 * (found, or built with Go on first use, side by side): the Temporal CLI for the
 * test run's dev server, and SeaweedFS for the S3 blob store's tests. Progress
 * goes to stderr; exits 1 with the reason and what to do when one cannot be had.
 */
import { ensureGoModuleBinary, ensureTemporalBinary, getTemporalVersion } from '@cairn/dev-server';
import { seaweedfs } from '@cairn/testing';
import { isCairnError } from '../packages/core/src/errors.ts';

const log = (line: string): void => void process.stderr.write(`[cairn] ${line}\n`);

async function temporal(): Promise<void> {
  const binary = await ensureTemporalBinary({ onProgress: log });
  log(`Temporal CLI: ${binary} (${await getTemporalVersion(binary)})`);
}

async function s3Server(): Promise<void> {
  log(`SeaweedFS: ${await ensureGoModuleBinary(seaweedfs, { onProgress: log })}`);
}

const failures = (await Promise.allSettled([temporal(), s3Server()])).filter((outcome) => outcome.status === 'rejected');
for (const { reason: error } of failures) {
  if (isCairnError(error)) {
    log(`error: ${error.message}`);
    if (error.hint) log(`hint: ${error.hint}`);
  } else {
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}
if (failures.length > 0) process.exit(1);
