/**
 * An in-process fake S3 for tests: s3rver on 127.0.0.1 (random port, temp directory, one fresh bucket), with
 * the environment `createS3ArtifactRepo` reads (`MLFLOW_S3_ENDPOINT_URL`, credentials, region).
 *
 * s3rver is a dev dependency: it is loaded when `startS3rver` is first called, never when this module is.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface S3rverInstance {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** The bucket created for this instance. */
  bucket: string;
  /** What `createS3ArtifactRepo` reads: endpoint (path-style), credentials, region. */
  env: {
    MLFLOW_S3_ENDPOINT_URL: string;
    AWS_ACCESS_KEY_ID: string;
    AWS_SECRET_ACCESS_KEY: string;
    AWS_DEFAULT_REGION: string;
  };
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets?: { name: string }[];
}) => S3rverServer;

interface S3rverListOptions {
  delimiter?: string | undefined;
  prefix?: string | undefined;
  maxKeys?: number | undefined;
  startAfter?: string | undefined;
}
interface S3rverListResult {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
interface S3rverFilesystemStore {
  listObjects: (this: S3rverFilesystemStore, bucket: string, options: S3rverListOptions) => Promise<S3rverListResult>;
  deleteObject: (this: S3rverFilesystemStore, bucket: string, key: string) => Promise<void>;
  getBucketPath(bucket: string): string;
  getResourcePath(bucket: string, key: string, resource: string): string;
}

type CipherFactory = (algorithm: string, key: Buffer, iv: Buffer, ...rest: unknown[]) => unknown;
interface CipherFactories {
  createCipheriv: CipherFactory;
  createDecipheriv: CipherFactory;
}

const require = createRequire(import.meta.url);
let patched = false;

/**
 * s3rver 3.7 (the last release) has bugs that no real S3 has; they are fixed here, in the fake, without
 * touching what the repo sends:
 * - its ListObjectsV2 continuation tokens are encrypted with single DES, which OpenSSL 3 (Node >= 17) no
 *   longer offers, so every listing past 1,000 keys is a 500. Triple DES with the one key thrice is the same
 *   cipher and still there; only the algorithm name 'des' is redirected;
 * - a delimited listing prunes every directory two levels below the prefix, so `a/` is missing from a listing
 *   when `a/` only holds folders (`a/b/c.txt`);
 * - deleting objects concurrently (DeleteObjects deletes its keys in parallel) races on removing the emptied
 *   parent directories and fails with a 500 (ENOENT/ENOTEMPTY).
 * It also lacks AbortMultipartUpload and ListParts; tests that need them run on Ceph RGW only.
 * Applied once per process.
 */
function patchS3rver(): void {
  if (patched) return;
  patched = true;
  const nodeCrypto = require('node:crypto') as CipherFactories;
  const viaTripleDes =
    (original: CipherFactory): CipherFactory =>
    (algorithm, key, iv, ...rest) =>
      algorithm === 'des'
        ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv, ...rest)
        : original(algorithm, key, iv, ...rest);
  nodeCrypto.createCipheriv = viaTripleDes(nodeCrypto.createCipheriv);
  nodeCrypto.createDecipheriv = viaTripleDes(nodeCrypto.createDecipheriv);

  const { prototype } = require('s3rver/lib/stores/filesystem') as { prototype: S3rverFilesystemStore };
  const listObjects = prototype.listObjects;
  prototype.listObjects = async function (bucket, options) {
    const { delimiter, prefix = '', maxKeys = Infinity } = options;
    if (!delimiter) return listObjects.call(this, bucket, options);
    const all = await listObjects.call(this, bucket, { ...options, delimiter: undefined, maxKeys: Infinity });
    const commonPrefixes = new Set<string>();
    const objects: { key: string }[] = [];
    let isTruncated = false;
    for (const object of all.objects) {
      const idx = object.key.slice(prefix.length).indexOf(delimiter);
      if (idx !== -1) {
        commonPrefixes.add(object.key.slice(0, prefix.length + idx + delimiter.length));
      } else if (objects.length < maxKeys) {
        objects.push(object);
      } else {
        isTruncated = true;
        break;
      }
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
  };
  prototype.deleteObject = async function (bucket, key) {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json'].map((resource) =>
        fs.promises.unlink(this.getResourcePath(bucket, key, resource)).catch((err: unknown) => {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }),
      ),
    );
    const parts = key.split('/').slice(0, -1);
    while (parts.length > 0) {
      try {
        await fs.promises.rmdir(path.join(this.getBucketPath(bucket), ...parts));
      } catch {
        break; // not empty, or removed by a concurrent delete
      }
      parts.pop();
    }
  };
}

/** Starts a patched s3rver with one fresh bucket (`runlog-test-<random>`). */
export async function startS3rver(): Promise<S3rverInstance> {
  patchS3rver();
  const S3rver = require('s3rver') as S3rverConstructor;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-s3rver-'));
  const bucket = `runlog-test-${randomUUID().slice(0, 8)}`;
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    fs.rmSync(directory, { recursive: true, force: true });
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      MLFLOW_S3_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_DEFAULT_REGION: 'us-east-1',
    },
    close: async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
