/**
 * Artifacts under an S3 prefix (`s3://bucket/prefix`), configured the way MLflow's S3 artifact repository is:
 * `MLFLOW_S3_ENDPOINT_URL` (an S3-compatible server such as MinIO or Ceph RGW; path-style addressing then),
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (else the SDK's default credential chain) and
 * `AWS_DEFAULT_REGION` (default us-east-1).
 *
 * Every key is `<prefix>/<path>`. Bodies stream both ways: puts go through `putStreamed` (a single PutObject
 * for small bodies, a multipart upload with a bounded number of reused part buffers for big ones) and gets hand
 * back the response body as it arrives.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { RunlogError, type ArtifactObject, type ArtifactRepo, type ByteStream, type FileInfo, type MultipartUpload } from '@runlog/core';

/** Part size for streamed puts, and how many parts are in flight at once: see `putStreamed`. */
const PUT_PART_SIZE = 8 * 1024 * 1024;
const PUT_QUEUE_SIZE = 4;
/** A put's first buffer starts this small and doubles up to a part, so a small file does not cost a whole part. */
const PUT_FIRST_BUFFER = 256 * 1024;
/** S3's limits: at most 10,000 parts per upload, at most 1,000 keys per DeleteObjects. */
const MAX_PARTS = 10_000;
const DELETE_BATCH = 1000;
/** How long the presigned part URLs of `multipart.create` stay valid. */
const PRESIGN_EXPIRES_SECONDS = 3600;

export interface S3Location {
  bucket: string;
  /** Without leading or trailing slashes; `''` is the bucket's root. */
  prefix: string;
}

/** Splits `s3://bucket/some/prefix/` into its bucket and prefix. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  const bucket = match?.[1];
  if (!match || !bucket) throw RunlogError.invalidParameter(`Not an S3 URI (s3://bucket/prefix): '${uri}'`);
  const prefix = (match[2] ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return { bucket, prefix };
}

/** The S3 client for a repo, from MLflow's environment variables. */
export function s3ClientConfig(env: NodeJS.ProcessEnv): S3ClientConfig {
  const endpoint = env.MLFLOW_S3_ENDPOINT_URL?.trim() || undefined;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  return {
    region: env.AWS_DEFAULT_REGION?.trim() || env.AWS_REGION?.trim() || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    // Checksums only where S3 requires them (as SDKs did before 2025): S3-compatible servers such as Ceph RGW
    // before Reef reject the aws-chunked trailing checksums that 'WHEN_SUPPORTED' puts on every streamed
    // upload, and presigned part URLs must not carry a checksum of an empty body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * Refuses what the caller's confinement should already have removed: `..` segments (split at `/` or at a
 * backslash, as a Windows client means them), `.` and empty segments, a leading `/`, NUL. One trailing `/` (a
 * folder spelled as such) is dropped. Runs before any request.
 */
function checkPath(path: string): string {
  const invalid = (why: string): RunlogError => RunlogError.invalidParameter(`Invalid artifact path '${path}': ${why}`);
  if (path.startsWith('/')) throw invalid('absolute');
  if (path.includes('\0')) throw invalid('contains NUL');
  if (path.split(/[\\/]/).includes('..')) throw invalid("'..' segment");
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '') return '';
  for (const segment of trimmed.split('/')) {
    if (segment === '.' || segment === '') throw invalid(`'${segment}' segment`);
  }
  return trimmed;
}

function s3ErrorName(err: unknown): string | undefined {
  if (err instanceof S3ServiceException) return err.name;
  if (err instanceof Error) return err.name;
  return undefined;
}

function httpStatus(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

function toByteStream(body: unknown, key: string): ByteStream {
  if (body instanceof Readable) return body;
  // Elsewhere than Node the SDK may hand back a web ReadableStream, which Node can iterate too.
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) return body as ByteStream;
  throw new RunlogError('INTERNAL_ERROR', `S3 returned no readable body for '${key}'`);
}

/**
 * Streams `body` to `Key`: one PutObject when it fits in one part, else a multipart upload of PUT_PART_SIZE
 * parts with at most PUT_QUEUE_SIZE in flight. The body's chunks are copied into part buffers as they arrive,
 * and a buffer is reused once its part is stored, so a put holds at most PUT_QUEUE_SIZE + 1 parts (40 MiB) and
 * leaves no garbage per part. (lib-storage's `Upload` concatenates every part into a fresh buffer while the
 * body's chunks wait behind it; both pile up in V8's old space until the next full GC: +100–130 MiB of server
 * RSS during a 1 GiB upload in `bench --only artifacts`.) On any failure, once no part is in flight any more,
 * the multipart upload is aborted, so no parts are left behind.
 */
async function putStreamed(client: S3Client, Bucket: string, Key: string, body: ByteStream): Promise<void> {
  const spare: Buffer[] = [];
  const inFlight = new Set<Promise<void>>();
  const parts: { PartNumber: number; ETag: string }[] = [];
  const errors: unknown[] = [];
  let uploadId: string | undefined;
  let partCount = 0;
  let current: Buffer = Buffer.alloc(0);
  let filled = 0;

  /** Sends `current[0, filled)` as the next part, takes a fresh buffer, waits while the queue is full. */
  const sendPart = async (): Promise<void> => {
    if (uploadId === undefined) {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      if (!created.UploadId) throw new RunlogError('INTERNAL_ERROR', `S3 returned no upload id for '${Key}'`);
      uploadId = created.UploadId;
    }
    const PartNumber = ++partCount;
    if (PartNumber > MAX_PARTS) {
      throw RunlogError.invalidParameter(`Artifact too large for S3: more than ${MAX_PARTS} parts of ${PUT_PART_SIZE} bytes`);
    }
    const buffer = current;
    const sending: Promise<void> = client
      .send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: buffer.subarray(0, filled) }))
      .then((out) => {
        if (!out.ETag) throw new RunlogError('INTERNAL_ERROR', `S3 returned no ETag for part ${PartNumber} of '${Key}'`);
        parts.push({ PartNumber, ETag: out.ETag });
        spare.push(buffer);
      })
      .catch((err: unknown) => {
        errors.push(err);
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    current = spare.pop() ?? Buffer.allocUnsafe(PUT_PART_SIZE);
    filled = 0;
    while (inFlight.size >= PUT_QUEUE_SIZE && errors.length === 0) await Promise.race(inFlight);
    if (errors.length > 0) throw errors[0];
  };

  try {
    for await (const chunk of body) {
      for (let offset = 0; offset < chunk.byteLength; ) {
        if (filled === current.length) {
          if (filled === PUT_PART_SIZE) {
            await sendPart(); // a full part goes once more bytes follow: a body of exactly one part is a PutObject
          } else {
            const grown = Buffer.allocUnsafe(Math.min(PUT_PART_SIZE, Math.max(PUT_FIRST_BUFFER, 2 * filled, filled + chunk.byteLength - offset)));
            current.copy(grown, 0, 0, filled);
            current = grown;
          }
        }
        const n = Math.min(chunk.byteLength - offset, current.length - filled);
        current.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
      }
    }
    if (uploadId === undefined) {
      await client.send(new PutObjectCommand({ Bucket, Key, Body: current.subarray(0, filled) }));
      return;
    }
    if (filled > 0) await sendPart();
    while (inFlight.size > 0) await Promise.race(inFlight);
    if (errors.length > 0) throw errors[0];
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  } catch (err) {
    await Promise.all(inFlight);
    if (uploadId !== undefined) {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => undefined);
    }
    throw err;
  }
}

export function createS3ArtifactRepo(uri: string, env: NodeJS.ProcessEnv = process.env): ArtifactRepo {
  const { bucket, prefix } = parseS3Uri(uri);
  const client = new S3Client(s3ClientConfig(env));

  /** The object key of a checked, non-empty path. */
  const keyOf = (path: string): string => (prefix ? `${prefix}/${path}` : path);
  /** The key prefix of everything under a checked folder path (`''` is the repo root). */
  const folderPrefix = (path: string): string => {
    if (path === '') return prefix ? `${prefix}/` : '';
    return `${keyOf(path)}/`;
  };
  /** A path relative to the repo root, from a key under it. */
  const rootPrefix = prefix ? `${prefix}/` : '';
  const relative = (key: string): string => key.slice(rootPrefix.length).replace(/\/$/, '');

  const fileKey = (path: string): string => {
    const checked = checkPath(path);
    if (checked === '') throw RunlogError.invalidParameter('An artifact file path must not be empty');
    return keyOf(checked);
  };

  const notFoundUpload = (path: string, uploadId: string): RunlogError =>
    RunlogError.notFound(`No multipart upload '${uploadId}' for artifact '${path}'`);

  /**
   * Whether an upload id is unknown (never was, completed or aborted). S3 says NoSuchUpload right away, but
   * some S3-compatible servers (Ceph RGW before Reef) answer a completion of an unknown upload with a 500;
   * ListParts tells them apart.
   */
  async function uploadMissing(Key: string, UploadId: string): Promise<boolean> {
    try {
      await client.send(new ListPartsCommand({ Bucket: bucket, Key, UploadId, MaxParts: 1 }));
      return false;
    } catch (err) {
      // Ceph RGW before Reef says NoSuchKey (the upload's meta object) where S3 says NoSuchUpload.
      const name = s3ErrorName(err);
      return name === 'NoSuchUpload' || name === 'NoSuchKey';
    }
  }

  async function deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const out = await client.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        const first = failed[0];
        throw new RunlogError(
          'INTERNAL_ERROR',
          `Could not delete ${failed.length} S3 object(s), first '${first?.Key ?? ''}': ${first?.Code ?? ''} ${first?.Message ?? ''}`,
        );
      }
    }
  }

  const repo: ArtifactRepo = {
    async put(path: string, body: ByteStream): Promise<void> {
      await putStreamed(client, bucket, fileKey(path), body);
    },

    async get(path: string): Promise<ArtifactObject> {
      const Key = fileKey(path);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
        const stream = toByteStream(out.Body, Key);
        return out.ContentLength === undefined ? { stream } : { stream, size: out.ContentLength };
      } catch (err) {
        const name = s3ErrorName(err);
        if (name === 'NoSuchKey' || (httpStatus(err) === 404 && name !== 'NoSuchBucket')) {
          throw RunlogError.notFound(`Artifact '${path}' does not exist`);
        }
        throw err;
      }
    },

    async list(path: string): Promise<FileInfo[]> {
      const folder = checkPath(path);
      const Prefix = folderPrefix(folder);
      const dirs = new Set<string>();
      const files = new Map<string, FileInfo>();
      let ContinuationToken: string | undefined;
      do {
        const out = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix, Delimiter: '/', ContinuationToken }),
        );
        for (const common of out.CommonPrefixes ?? []) {
          if (common.Prefix) dirs.add(relative(common.Prefix));
        }
        for (const obj of out.Contents ?? []) {
          // A zero-byte "folder" marker at the prefix itself is not an entry of the folder.
          if (!obj.Key || obj.Key === Prefix) continue;
          const rel = relative(obj.Key);
          files.set(rel, { path: rel, is_dir: false, file_size: obj.Size ?? 0 });
        }
        ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (ContinuationToken);
      const entries: FileInfo[] = [...dirs].map((d) => ({ path: d, is_dir: true }));
      for (const [rel, info] of files) if (!dirs.has(rel)) entries.push(info);
      return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async delete(path: string): Promise<void> {
      const checked = checkPath(path);
      const Prefix = folderPrefix(checked);
      if (checked !== '') await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(checked) }));
      let ContinuationToken: string | undefined;
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix, ContinuationToken }));
        const keys = (out.Contents ?? []).flatMap((obj) => (obj.Key ? [obj.Key] : []));
        if (keys.length > 0) await deleteKeys(keys);
        ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },

    multipart: {
      async create(path: string, numParts: number): Promise<MultipartUpload> {
        const Key = fileKey(path);
        if (!Number.isInteger(numParts) || numParts < 1 || numParts > MAX_PARTS) {
          throw RunlogError.invalidParameter(`num_parts must be an integer from 1 to ${MAX_PARTS}, got ${numParts}`);
        }
        const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
        const UploadId = created.UploadId;
        if (!UploadId) throw new RunlogError('INTERNAL_ERROR', `S3 returned no upload id for '${Key}'`);
        const credentials = await Promise.all(
          Array.from({ length: numParts }, async (_, i) => {
            const PartNumber = i + 1;
            const url = await getSignedUrl(client, new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber }), {
              expiresIn: PRESIGN_EXPIRES_SECONDS,
            });
            return { url, part_number: PartNumber, headers: {} };
          }),
        );
        return { upload_id: UploadId, credentials };
      },

      async complete(path, uploadId, parts): Promise<void> {
        const Key = fileKey(path);
        if (parts.length === 0) throw RunlogError.invalidParameter('A multipart upload needs at least one part');
        const sorted = [...parts].sort((a, b) => a.part_number - b.part_number);
        try {
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key,
              UploadId: uploadId,
              MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.part_number, ETag: p.etag })) },
            }),
          );
        } catch (err) {
          const name = s3ErrorName(err);
          if (name === 'NoSuchUpload') throw notFoundUpload(path, uploadId);
          if (name === 'InvalidPart' || name === 'InvalidPartOrder' || name === 'EntityTooSmall') {
            throw RunlogError.invalidParameter(
              `Cannot complete multipart upload of '${path}': ${err instanceof Error ? err.message : String(err)}`,
            );
          }
          if (await uploadMissing(Key, uploadId)) throw notFoundUpload(path, uploadId);
          throw err;
        }
      },

      async abort(path, uploadId): Promise<void> {
        const Key = fileKey(path);
        try {
          await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: uploadId }));
        } catch (err) {
          if (s3ErrorName(err) === 'NoSuchUpload') throw notFoundUpload(path, uploadId);
          throw err;
        }
      },
    },
  };
  return repo;
}
