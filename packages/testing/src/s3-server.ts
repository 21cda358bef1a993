/**
 * An S3-compatible server of a test's own: SeaweedFS (`weed mini`, all of it in
 * one process) on free loopback ports, with a bucket and credentials made for
 * the test, in a temporary folder that `stop()` removes. Built from the Go
 * module proxy into Cairn's binary cache on first use, as the Temporal CLI is.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoModuleBinary, getFreePort, stopDevServerProcess, type GoModuleProgram } from '@cairn/dev-server';

/** Pinned: a snapshot whose `weed mini` runs master, volume, filer and S3 gateway in one process. */
export const seaweedfs: GoModuleProgram = {
  name: 'weed',
  what: 'SeaweedFS (the S3-compatible server of the tests)',
  module: 'github.com/seaweedfs/seaweedfs',
  version: 'v0.0.0-20261109003541-7506e5f91cd6',
  packagePath: './weed',
};

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** The variables the AWS SDK (and Cairn's S3 blob store) read to reach it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(options: { bucket?: string; onProgress?: (line: string) => void } = {}): Promise<S3Server> {
  const binary = await ensureGoModuleBinary(seaweedfs, { onProgress: options.onProgress });
  const bucket = options.bucket ?? 'cairn';
  const folder = await mkdtemp(join(tmpdir(), 'cairn-s3-'));
  const accessKeyId = `cairn-${Math.random().toString(36).slice(2, 10)}`;
  const secretAccessKey = `secret-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const identities = { identities: [{ name: 'cairn', credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }], actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'] }] };
  await writeFile(join(folder, 's3.json'), JSON.stringify(identities), { mode: 0o600 });
  // Every port explicit: the defaults are fixed numbers two test runs would share.
  const port = async (flag: string) => [`-${flag}=${await getFreePort()}`];
  const s3Port = await getFreePort();
  const args = [
    'mini',
    `-dir=${join(folder, 'data')}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-s3.port=${s3Port}`,
    ...(await port('s3.port.grpc')),
    ...(await port('master.port')),
    ...(await port('master.port.grpc')),
    ...(await port('volume.port')),
    ...(await port('volume.port.grpc')),
    ...(await port('filer.port')),
    ...(await port('filer.port.grpc')),
    ...(await port('admin.port')),
    ...(await port('admin.port.grpc')),
    '-admin.port.legacy=0',
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    '-webdav=false',
    '-admin.ui=false',
    '-master.telemetry=false',
    `-s3.config=${join(folder, 's3.json')}`,
    `-bucket=${bucket}`,
  ];
  mkdirSync(join(folder, 'data'));
  const log = openSync(join(folder, 'server.log'), 'a');
  const child = spawn(binary, args, { stdio: ['ignore', log, log], detached: true });
  // A test that forgets stop() must not hang the run; the folder goes with stop().
  child.unref();
  const endpoint = `http://127.0.0.1:${s3Port}`;
  const env = { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: 'us-east-1' };
  const stop = async () => {
    if (child.pid !== undefined) await stopDevServerProcess(child.pid);
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await untilBucketAnswers(endpoint, bucket, child);
  } catch (error) {
    const tail = readFileSync(join(folder, 'server.log'), 'utf8').trim().split('\n').slice(-15).join('\n');
    await stop();
    throw new Error(`SeaweedFS did not start: ${(error as Error).message}\n${tail}`);
  }
  return { endpoint, bucket, env, stop };
}

/** The gateway answers before the bucket `-bucket` asked for exists: wait for the bucket itself (any answer but 404). */
async function untilBucketAnswers(endpoint: string, bucket: string, child: ReturnType<typeof spawn>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    const status = await fetch(`${endpoint}/${bucket}`, { method: 'HEAD' }).then(
      (response) => response.status,
      () => 0,
    );
    // Unsigned, so 403 once the bucket is there; 404 while it is being made.
    if (status !== 0 && status !== 404) return;
    if (Date.now() > deadline) throw new Error(`no answer for bucket '${bucket}' at ${endpoint} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
