/**
 * Run by `npm test` before vitest: makes sure a working Temporal CLI exists (found, or
 * built with Go on first use) so the test run's dev server can start. Progress goes to
 * stderr; exits 1 with the reason and what to do when no binary can be had.
 */
import { ensureTemporalBinary, getTemporalVersion } from '@cairn/dev-server';
import { isCairnError } from '../packages/core/src/errors.ts';

const log = (line: string): void => void process.stderr.write(`[cairn] ${line}\n`);

try {
  const binary = await ensureTemporalBinary({ onProgress: log });
  log(`Temporal CLI: ${binary} (${await getTemporalVersion(binary)})`);
} catch (error) {
  if (isCairnError(error)) {
    log(`error: ${error.message}`);
    if (error.hint) log(`hint: ${error.hint}`);
  } else {
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  process.exit(1);
}
