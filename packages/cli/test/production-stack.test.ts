/**
 * The production stack (docker-compose.yml, Dockerfile) stays in step with the
 * repository: its worker gets the settings Cairn reads, and its image can
 * install every workspace. Docker's own checks run where Docker has them:
 * `docker compose config`, and hadolint on the Dockerfile.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');
const compose = read('docker-compose.yml');
const dockerfile = read('Dockerfile');
const succeeds = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const composeAvailable = succeeds('docker', ['compose', 'version']);
const hadolintAvailable = succeeds('hadolint', ['--version']);

/** The lines of one service's block in the compose file. */
function service(name: string): string {
  const match = new RegExp(`\\n  ${name}:\\n((?:    .*\\n|\\s*\\n)+)`).exec(compose);
  if (!match) throw new Error(`docker-compose.yml has no service '${name}'`);
  return match[1]!;
}

describe('the production stack', () => {
  it('runs Temporal on PostgreSQL, the Web UI, an S3 store, Jaeger and a Cairn worker', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'seaweedfs', 'jaeger', 'cairn-worker', 'cairn-search-attributes']) expect(() => service(name)).not.toThrow();
    const worker = service('cairn-worker');
    expect(worker).toContain('build: .');
    expect(worker).toContain('TEMPORAL_ADDRESS=temporal:7233');
    expect(worker).toContain('CAIRN_BLOB_STORE=s3://cairn/blobs');
    expect(worker).toContain('AWS_ENDPOINT_URL_S3=http://seaweedfs:8333');
    expect(worker).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318');
    expect(worker).toMatch(/CAIRN_ENCRYPTION_KEYS=\$\{CAIRN_ENCRYPTION_KEYS:\?/);
    // The bucket the worker writes to is the one the store makes at start.
    expect(service('seaweedfs')).toContain('-bucket=cairn');
    // Every search attribute Cairn uses is registered at start.
    for (const attribute of ['CairnAgent=Keyword', 'CairnState=Keyword', 'CairnParentRun=Keyword', 'CairnWaitingForHuman=Bool']) expect(service('cairn-search-attributes')).toContain(attribute);
  });

  it('builds a worker image that installs every workspace, compiles it and runs `cairn worker`', () => {
    const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
    const manifests = execFileSync('git', ['ls-files', ...workspaces.map((pattern) => `:(glob)${pattern}/package.json`)], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    // npm ci fails in the image unless every workspace's manifest is there first.
    for (const manifest of manifests) expect(dockerfile).toContain(`COPY ${manifest} ${manifest.replace('package.json', '')}`);
    expect(dockerfile).toContain('RUN npm ci --ignore-scripts');
    // The sources are copied after the dependency layer, so they are compiled after it; then the build tools go.
    expect(dockerfile.indexOf('COPY packages packages')).toBeLessThan(dockerfile.indexOf('npm run build'));
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(read('.dockerignore')).toContain('**/dist');
    expect(dockerfile).toContain('CMD ["node", "packages/cli/bin/cairn.js", "worker"]');
    expect(dockerfile).toMatch(/\nUSER node\n/);
  });

  it.skipIf(!composeAvailable)('passes docker compose config', () => {
    const env = { ...process.env, CAIRN_S3_ACCESS_KEY: 'check', CAIRN_S3_SECRET_KEY: 'check-secret', CAIRN_ENCRYPTION_KEYS: `check:${Buffer.alloc(32).toString('base64')}` };
    const result = spawnSync('docker', ['compose', '-f', `${root}docker-compose.yml`, 'config', '--quiet'], { env, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });

  it.skipIf(!hadolintAvailable)('passes hadolint', () => {
    const result = spawnSync('hadolint', [`${root}Dockerfile`], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});
