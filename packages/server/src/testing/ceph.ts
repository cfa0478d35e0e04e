/**
 * The test Ceph RGW (scripts/ceph-rgw.sh): its endpoint and credentials, whether it answers, and throwaway
 * buckets. Defaults match the script; `RUNLOG_TEST_CEPH_*` overrides both.
 */
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../artifacts/s3-artifact-repo.js';

export const CEPH_ENDPOINT = process.env.RUNLOG_TEST_CEPH_ENDPOINT ?? 'http://127.0.0.1:7480';

/** What the server's S3 repo reads (MLflow's variable names). */
export const CEPH_ENV: Readonly<NodeJS.ProcessEnv> = {
  MLFLOW_S3_ENDPOINT_URL: CEPH_ENDPOINT,
  AWS_ACCESS_KEY_ID: process.env.RUNLOG_TEST_CEPH_ACCESS_KEY ?? 'RUNLOGTESTACCESSKEY0',
  AWS_SECRET_ACCESS_KEY: process.env.RUNLOG_TEST_CEPH_SECRET_KEY ?? 'runlog-test-secret-key-0000000000000000',
  AWS_DEFAULT_REGION: 'us-east-1',
};

/** Why Ceph cannot be used, or undefined when it answers. */
export async function cephProblem(): Promise<string | undefined> {
  try {
    await fetch(`${CEPH_ENDPOINT}/`, { signal: AbortSignal.timeout(3000) });
    return undefined;
  } catch (err) {
    return err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
  }
}

export function cephClient(): S3Client {
  return new S3Client(s3ClientConfig(CEPH_ENV));
}

/** Every object under `prefix` of `bucket`: key → size. */
export async function listObjects(client: S3Client, bucket: string, prefix = ''): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) out.set(o.Key, o.Size ?? 0);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Empties the bucket with one DELETE per object (a few hundred here), then removes it. */
export async function dropBucket(client: S3Client, bucket: string): Promise<void> {
  const keys = [...(await listObjects(client, bucket)).keys()];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let key = keys.pop(); key !== undefined; key = keys.pop()) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
    }),
  );
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
