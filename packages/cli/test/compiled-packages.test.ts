/**
 * The installed `cairn` runs the compiled JavaScript in each package's dist/ (npm install
 * builds it), with no TypeScript loader: every entry point a package exports must load
 * in plain Node, and the CLI must answer from it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cairnBin } from './cli-process.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packages = ['packages/core', 'packages/dev-server', 'packages/testing', 'agents', 'tools'];

/** The specifiers a package's exports offer, wildcard subpaths left out. */
function exportedSpecifiers(folder: string): string[] {
  const manifest = JSON.parse(readFileSync(`${root}${folder}/package.json`, 'utf8')) as { name: string; exports: Record<string, unknown> };
  return Object.keys(manifest.exports)
    .filter((subpath) => !subpath.includes('*'))
    .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`));
}

describe('the compiled packages', () => {
  it('load every exported entry point from dist/ in plain Node', () => {
    const specifiers = packages.flatMap(exportedSpecifiers);
    expect(specifiers).toContain('@cairn/core/worker');
    const script = `for (const specifier of ${JSON.stringify(specifiers)}) { const url = import.meta.resolve(specifier); if (!url.includes('/dist/')) throw new Error(specifier + ' resolved to ' + url); await import(specifier); }`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: `${root}packages/cli`, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('answer `cairn --help` without TypeScript', () => {
    const result = spawnSync(process.execPath, [cairnBin, '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Durable AI agents on Temporal');
    expect(result.stdout).toContain('research [options] <question>');
  });
});
