import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/core';
import {
  ensureTemporalBinary,
  findTemporalBinary,
  temporalCacheDir,
  TEMPORAL_CLI_PACKAGE,
  TEMPORAL_CLI_VERSION,
} from './temporal-binary.ts';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-binary-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function dir(name: string): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** Writes an executable shell script. */
function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const fakeTemporal = (path: string): string => script(path, 'echo "temporal version 9.9.9 (fake)"');

/**
 * A fake `go` that records each call, prints download lines like the real one, sleeps a
 * little and writes a fake temporal into $GOBIN.
 */
function fakeGo(binDir: string, options: { fail?: boolean; sleep?: number } = {}): { calls: () => string[] } {
  const callLog = join(root, 'go-calls.log');
  script(
    join(binDir, 'go'),
    [
      `echo "$*" >> ${callLog}`,
      'echo "go: downloading github.com/temporalio/cli v1.5.1" >&2',
      'echo "go: downloading modernc.org/sqlite v1.34.1" >&2',
      `/bin/sleep ${options.sleep ?? 0.3}`,
      options.fail
        ? 'echo "go: github.com/temporalio/cli/cmd/temporal@v1.5.1: no space left on device" >&2; exit 1'
        : `printf '#!/bin/sh\\necho "temporal version 1.5.1 (built)"\\n' > "$GOBIN/temporal"; /bin/chmod 755 "$GOBIN/temporal"`,
    ].join('\n'),
  );
  return { calls: () => (existsSync(callLog) ? readFileSync(callLog, 'utf8').trim().split('\n') : []) };
}

describe('temporalCacheDir', () => {
  it('prefers CAIRN_CACHE_DIR, then XDG_CACHE_HOME/cairn/bin, then ~/.cache/cairn/bin', () => {
    expect(temporalCacheDir({ CAIRN_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(temporalCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(join('/x', 'cairn', 'bin'));
    expect(temporalCacheDir({ HOME: '/h' })).toBe(join('/h', '.cache', 'cairn', 'bin'));
  });
});

describe('findTemporalBinary', () => {
  it('looks in TEMPORAL_CLI_PATH, then PATH, then the cache directory', () => {
    const explicit = fakeTemporal(join(dir('explicit'), 'my-temporal'));
    const onPath = fakeTemporal(join(dir('path-bin'), 'temporal'));
    const cached = fakeTemporal(join(dir('cache'), 'temporal'));
    const env = {
      TEMPORAL_CLI_PATH: explicit,
      PATH: [join(root, 'empty'), join(root, 'path-bin')].join(':'),
      CAIRN_CACHE_DIR: join(root, 'cache'),
    };

    expect(findTemporalBinary({ env })).toBe(explicit);
    expect(findTemporalBinary({ env: { ...env, TEMPORAL_CLI_PATH: undefined } })).toBe(onPath);
    expect(findTemporalBinary({ env: { ...env, TEMPORAL_CLI_PATH: undefined, PATH: join(root, 'empty') } })).toBe(cached);
    expect(findTemporalBinary({ env: { PATH: join(root, 'empty'), CAIRN_CACHE_DIR: join(root, 'nothing') } })).toBeUndefined();
  });

  it('skips files that are not executable', () => {
    const pathBin = dir('path-bin');
    writeFileSync(join(pathBin, 'temporal'), 'not a program');
    const cached = fakeTemporal(join(dir('cache'), 'temporal'));
    expect(findTemporalBinary({ env: { PATH: pathBin, CAIRN_CACHE_DIR: join(root, 'cache') } })).toBe(cached);
  });
});

describe('ensureTemporalBinary', () => {
  it('returns a binary that is found and runs, without building', async () => {
    const onPath = fakeTemporal(join(dir('path-bin'), 'temporal'));
    const go = fakeGo(join(root, 'path-bin'));
    const binary = await ensureTemporalBinary({ env: { PATH: join(root, 'path-bin'), CAIRN_CACHE_DIR: dir('cache') } });
    expect(binary).toBe(onPath);
    expect(go.calls()).toEqual([]);
  });

  it('builds the pinned CLI with go into the cache directory, reporting progress', async () => {
    const goBin = dir('go-bin');
    const go = fakeGo(goBin, { sleep: 0.5 });
    const cacheDir = join(root, 'cache'); // created by the build
    const progress: string[] = [];

    const binary = await ensureTemporalBinary({
      env: { PATH: goBin, CAIRN_CACHE_DIR: cacheDir },
      onProgress: (line) => progress.push(line),
      progressIntervalMs: 100,
    });

    expect(binary).toBe(join(cacheDir, 'temporal'));
    expect(go.calls()).toEqual([`install ${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`]);
    expect(progress[0]).toMatch(/first build takes several minutes/);
    expect(progress.some((line) => /^Still building the Temporal CLI… \d+s \(2 modules downloaded\)$/.test(line))).toBe(true);
    expect(progress.at(-1)).toMatch(/Temporal CLI ready: .*temporal version 1\.5\.1/);
    // The lock and the private build directory are gone.
    expect(readdir(cacheDir)).toEqual(['temporal']);
  });

  it('builds once when several callers race, the others wait for it', async () => {
    const goBin = dir('go-bin');
    const go = fakeGo(goBin, { sleep: 1 });
    const env = { PATH: goBin, CAIRN_CACHE_DIR: join(root, 'cache') };

    const results = await Promise.all([1, 2, 3].map(() => ensureTemporalBinary({ env })));

    expect(new Set(results)).toEqual(new Set([join(root, 'cache', 'temporal')]));
    expect(go.calls()).toHaveLength(1);
  });

  it('rebuilds a cached binary that does not run', async () => {
    const goBin = dir('go-bin');
    const go = fakeGo(goBin);
    script(join(dir('cache'), 'temporal'), 'exit 3');
    const binary = await ensureTemporalBinary({ env: { PATH: goBin, CAIRN_CACHE_DIR: join(root, 'cache') } });
    expect(binary).toBe(join(root, 'cache', 'temporal'));
    expect(go.calls()).toHaveLength(1);
  });

  it("reports go's own error and what to do when the build fails", async () => {
    const goBin = dir('go-bin');
    fakeGo(goBin, { fail: true });
    const error = await ensureTemporalBinary({ env: { PATH: goBin, CAIRN_CACHE_DIR: join(root, 'cache') } }).catch((e: unknown) => e);
    expect(isCairnError(error)).toBe(true);
    expect((error as Error).name).toBe('TemporalBinaryError');
    expect((error as Error).message).toMatch(/exited with code 1/);
    expect((error as Error).message).toMatch(/no space left on device/);
    expect((error as { hint: string }).hint).toMatch(/TEMPORAL_CLI_PATH/);
    expect(readdir(join(root, 'cache'))).toEqual([]); // no lock left behind
  });

  it('says to install Go or set TEMPORAL_CLI_PATH when there is neither a binary nor Go', async () => {
    const error = await ensureTemporalBinary({ env: { PATH: dir('empty'), CAIRN_CACHE_DIR: join(root, 'cache') } }).catch((e: unknown) => e);
    expect(isCairnError(error)).toBe(true);
    expect((error as Error).message).toMatch(/was not found .* Go is not installed/);
    expect((error as { hint: string }).hint).toMatch(/Install Go.*TEMPORAL_CLI_PATH/);
  });

  it('rejects a TEMPORAL_CLI_PATH that is not an executable', async () => {
    const error = await ensureTemporalBinary({ env: { TEMPORAL_CLI_PATH: join(root, 'missing'), PATH: '' } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/TEMPORAL_CLI_PATH is set to '.*missing', which is not an executable file/);
  });

  it('reports a binary on PATH that does not run instead of building over it', async () => {
    const pathBin = dir('path-bin');
    script(join(pathBin, 'temporal'), 'echo "segmentation fault" >&2; exit 139');
    const go = fakeGo(pathBin);
    const error = await ensureTemporalBinary({ env: { PATH: pathBin, CAIRN_CACHE_DIR: join(root, 'cache') } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/does not run[\s\S]*segmentation fault/);
    expect(go.calls()).toEqual([]);
  });
});

function readdir(path: string): string[] {
  return existsSync(path) ? readdirSync(path).sort() : [];
}
