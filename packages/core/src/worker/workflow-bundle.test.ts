import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourcesHash } from './workflow-bundle.ts';

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
