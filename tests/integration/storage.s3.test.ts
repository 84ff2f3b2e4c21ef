import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createS3Storage } from '../../server/storage/s3.driver.js';
import type { Storage } from '../../server/storage/storage.js';
import { describeStorageContract } from '../contract/storage.contract.js';

/*
 * S3 itself is a third-party service that cannot run here, so these tests speak real S3 over HTTP
 * to s3rver, an S3-compatible server, on a random port with a throwaway directory.
 *
 * s3rver runs in a child process because it encrypts ListObjectsV2 continuation tokens with
 * single DES, which OpenSSL 3 (Node >= 17) only offers through its legacy provider; without
 * --openssl-legacy-provider every listing longer than one page fails with InternalError.
 */
const S3RVER_SCRIPT = `
const [modulePath, directory, bucket] = process.argv.slice(1);
const S3rver = require(modulePath);
new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] })
  .run()
  .then(({ port }) => console.log(JSON.stringify({ port })), (err) => { console.error(err); process.exit(1); });
`;

const BUCKET = 'test-bucket';

let server: ChildProcess | undefined;
let directory: string | undefined;
let endpoint: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  server = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_SCRIPT, modulePath, directory, BUCKET], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await firstLine(server).then((line) => (JSON.parse(line) as { port: number }).port);
  endpoint = `http://127.0.0.1:${port}`;
  // s3rver's built-in key pair; the driver reads credentials from the default provider chain.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill();
    await exited;
  }
  if (directory) await rm(directory, { recursive: true, force: true });
});

function s3Storage(prefix: string, bucket = BUCKET): Storage {
  return createS3Storage({ bucket, endpoint, region: 'us-east-1', forcePathStyle: true, prefix });
}

// Runs with a key prefix so every operation also exercises adding and stripping it.
describeStorageContract('s3 (s3rver)', async () => ({ storage: s3Storage('contract'), cleanup: async () => {} }));

describe('s3 storage key prefix', () => {
  let whole: Storage;
  let tenantA: Storage;
  let tenantB: Storage;

  beforeAll(() => {
    whole = s3Storage('');
    tenantA = s3Storage('tenant-a/');
    tenantB = s3Storage('tenant-b');
  });

  afterAll(async () => {
    await Promise.all([whole.close(), tenantA.close(), tenantB.close()]);
  });

  it('prepends the prefix to stored keys and strips it from listings', async () => {
    await tenantA.put('docs/one.txt', Buffer.from('one'));
    await tenantB.put('docs/one.txt', Buffer.from('other tenant'));

    expect((await whole.head('tenant-a/docs/one.txt'))?.size).toBe(3);
    expect((await whole.head('tenant-b/docs/one.txt'))?.size).toBe(12);
    expect(await keys(tenantA, '')).toEqual(['docs/one.txt']);
    expect(await keys(tenantB, 'docs/')).toEqual(['docs/one.txt']);
  });

  it('confines deletePrefix to its own prefix', async () => {
    await tenantA.put('x/1', Buffer.from('1'));
    await tenantB.put('x/1', Buffer.from('1'));

    expect(await tenantA.deletePrefix('')).toBe(2);

    expect(await keys(tenantA, '')).toEqual([]);
    expect(await keys(tenantB, '')).toEqual(['docs/one.txt', 'x/1']);
  });
});

describe('s3 storage failures', () => {
  it('fails ping with storage.unavailable for a missing bucket', async () => {
    const storage = s3Storage('', 'no-such-bucket');
    try {
      await expect(storage.ping()).rejects.toMatchObject({ code: 'storage.unavailable', status: 503 });
    } finally {
      await storage.close();
    }
  });
});

async function keys(storage: Storage, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const { key } of storage.list(prefix)) found.push(key);
  return found;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening`)));
  });
}
