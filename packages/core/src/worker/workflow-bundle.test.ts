import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { unwatchedRunEventsFlag } from '../workflow/unwatched-run-events.ts';
import { sourcesHash, withRunEventsUnwatched } from './workflow-bundle.ts';

describe('the workflow bundle cache key', () => {
  it('changes when a JavaScript workflow module changes, and not for its tests', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cairn-modules-'));
    writeFileSync(join(folder, 'my-workflow.js'), 'export async function myWorkflow() { return 1; }\n');
    const before = await sourcesHash([folder]);
    writeFileSync(join(folder, 'my-workflow.test.js'), '// a test\n');
    expect(await sourcesHash([folder])).toBe(before);
    writeFileSync(join(folder, 'my-workflow.js'), 'export async function myWorkflow() { return 2; }\n');
    expect(await sourcesHash([folder])).not.toBe(before);
  });
});

describe('the bundle of a worker nobody watches', () => {
  const sourceMap = Buffer.from(JSON.stringify({ version: 3, file: 'workflow-bundle.js', mappings: 'AAAA' })).toString('base64');
  const bundle = { code: `var __TEMPORAL__ = {};\n//# sourceMappingURL=data:application/json;base64,${sourceMap}` };

  it('sets the flag when evaluated, and keeps the inline source map last, where the SDK reads it', () => {
    const { code } = withRunEventsUnwatched(bundle);
    const context: Record<string, unknown> = {};
    runInNewContext(code, context);
    expect(context[unwatchedRunEventsFlag]).toBe(true);
    // As the SDK reads it: from the last comment to the end of the code.
    const tail = code.slice(code.lastIndexOf('//# sourceMappingURL=data:'));
    expect(JSON.parse(Buffer.from(tail.slice(tail.indexOf('base64,') + 'base64,'.length), 'base64').toString())).toMatchObject({ file: 'workflow-bundle.js' });
    // No line of the code before it moved.
    expect(code.split('\n')[0]).toBe('var __TEMPORAL__ = {};');
  });
});
