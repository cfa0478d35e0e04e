/** Server configuration: flags and environment read once, validated, frozen. */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunlogError } from '@runlog/core';
import { fileStoreFolder } from './stores/file/file-store-uri.js';
import { defaultAllowedHosts } from './http/host-check.js';
import type { LogFormat } from './http/access-log.js';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  readonly backendStoreUri: string;
  /** Root for new experiments' artifact locations. */
  readonly defaultArtifactRoot: string;
  readonly serveArtifacts: boolean;
  readonly artifactsDestination: string;
  readonly artifactsOnly: boolean;
  /** Prefix for the UI and `/ajax-api` routes (never for `/api`). */
  readonly staticPrefix: string;
  /** Connections per server process to PostgreSQL (SQLite uses one writer and one reader). */
  readonly dbPoolSize: number;
  readonly dataDir: string;
  /** MLflow's AI-gateway / deployments server the UI's `gateway-proxy` forwards to (MLFLOW_DEPLOYMENTS_TARGET). */
  readonly deploymentsTarget?: string | undefined;
  /** MLflow's GraphQL limits per query (`MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS`, `..._MAX_ALIASES`). */
  readonly graphqlMaxRootFields: number;
  readonly graphqlMaxAliases: number;
  /** Host header values accepted (`--allowed-hosts`); `*` accepts all. See http/host-check.ts. */
  readonly allowedHosts: readonly string[];
  /** Origins allowed by CORS (`--cors-allowed-origins`); empty = no CORS headers. See http/cors.ts. */
  readonly corsAllowedOrigins: readonly string[];
  /** Timeouts in milliseconds (flags take seconds); 0 disables request/connection timeouts. See http/timeouts.ts. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  /** `--expose-prometheus [dir]`: serve `/metrics` (MLflow's directory value is accepted and unused). */
  readonly exposePrometheus: boolean;
  /** `--log-format`: `none` (default) or `json` access logs on stdout. See http/access-log.ts. */
  readonly logFormat: LogFormat;
}

export interface ServerFlags {
  host?: string | undefined;
  port?: string | number | undefined;
  workers?: string | number | undefined;
  backendStoreUri?: string | undefined;
  defaultArtifactRoot?: string | undefined;
  serveArtifacts?: boolean | undefined;
  artifactsDestination?: string | undefined;
  artifactsOnly?: boolean | undefined;
  staticPrefix?: string | undefined;
  dbPoolSize?: string | number | undefined;
  /** Comma-separated. */
  allowedHosts?: string | undefined;
  /** Comma-separated. */
  corsAllowedOrigins?: string | undefined;
  /** Seconds. */
  headersTimeout?: string | number | undefined;
  requestTimeout?: string | number | undefined;
  connectionTimeout?: string | number | undefined;
  /** MLflow passes a directory; any value turns it on. */
  exposePrometheus?: boolean | string | undefined;
  logFormat?: string | undefined;
}

function toInt(value: string | number | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw RunlogError.invalidParameter(`--${name} must be an integer between ${min} and ${max}, got '${String(value)}'`);
  }
  return n;
}

function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw RunlogError.invalidParameter(`${name} must be a positive integer, got '${value}'`);
  return n;
}

/** A duration flag in seconds (fractions allowed) → milliseconds. */
function seconds(value: string | number | undefined, name: string, fallbackSeconds: number, min: number): number {
  if (value === undefined || value === '') return fallbackSeconds * 1000;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < min || n > 86_400) {
    throw RunlogError.invalidParameter(`--${name} must be a number of seconds between ${min} and 86400, got '${String(value)}'`);
  }
  return Math.round(n * 1000);
}

function logFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === '' || value === 'none') return 'none';
  if (value === 'json') return 'json';
  throw RunlogError.invalidParameter(`--log-format must be 'json' or 'none', got '${value}'`);
}

function commaList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function normaliseStaticPrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  if (!prefix.startsWith('/') || prefix.endsWith('/')) {
    throw RunlogError.invalidParameter("--static-prefix must begin with a '/' and not end with a '/'");
  }
  return prefix;
}

export function buildServerConfig(
  flags: ServerFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ServerConfig {
  const dataDir = path.resolve(cwd, 'runlog-data');
  const backendStoreUri =
    flags.backendStoreUri ?? env.MLFLOW_BACKEND_STORE_URI ?? `sqlite:///${path.relative(cwd, path.join(dataDir, 'runlog.db'))}`;
  const serveArtifacts = flags.serveArtifacts ?? true;
  const destination = flags.artifactsDestination ?? env.MLFLOW_ARTIFACTS_DESTINATION ?? path.join(dataDir, 'artifacts');
  const artifactsDestination = /^[a-z][a-z0-9+.-]*:\/\//i.test(destination) ? destination : path.resolve(cwd, destination);
  // A file store keeps artifacts inside itself by default (`file:///…/mlruns/<experiment id>`), as MLflow's does.
  const fileStore = fileStoreFolder(backendStoreUri, cwd);
  const artifactRoot =
    flags.defaultArtifactRoot ??
    env.MLFLOW_DEFAULT_ARTIFACT_ROOT ??
    (fileStore !== undefined ? pathToFileURL(fileStore).href : serveArtifacts ? 'mlflow-artifacts:/' : artifactsDestination);
  // A plain local path is made absolute (MLflow's resolve_uri_if_local): run roots must not depend on the cwd.
  const defaultArtifactRoot = /^[a-z][a-z0-9+.-]*:/i.test(artifactRoot) ? artifactRoot : path.resolve(cwd, artifactRoot);
  const artifactsOnly = flags.artifactsOnly ?? false;
  if (artifactsOnly && !serveArtifacts) {
    throw RunlogError.invalidParameter('--artifacts-only cannot be combined with --no-serve-artifacts');
  }
  const host = flags.host ?? env.MLFLOW_HOST ?? '127.0.0.1';
  const allowedHostsList = flags.allowedHosts ?? env.RUNLOG_ALLOWED_HOSTS;
  const allowedHosts = allowedHostsList
    ? commaList(allowedHostsList)
    : defaultAllowedHosts(host);
  const headersTimeoutMs = seconds(flags.headersTimeout ?? env.RUNLOG_HEADERS_TIMEOUT, 'headers-timeout', 60, 0.1);
  const requestTimeoutMs = seconds(flags.requestTimeout ?? env.RUNLOG_REQUEST_TIMEOUT, 'request-timeout', 600, 0);
  if (requestTimeoutMs !== 0 && requestTimeoutMs < headersTimeoutMs) {
    throw RunlogError.invalidParameter('--request-timeout must be 0 or at least --headers-timeout');
  }
  return Object.freeze({
    host,
    port: toInt(flags.port ?? env.MLFLOW_PORT, 'port', 5000, 0, 65535),
    workers: toInt(flags.workers ?? env.MLFLOW_WORKERS, 'workers', 1, 1, Math.max(64, os.availableParallelism())),
    backendStoreUri,
    defaultArtifactRoot,
    serveArtifacts,
    artifactsDestination,
    artifactsOnly,
    staticPrefix: normaliseStaticPrefix(flags.staticPrefix ?? env.MLFLOW_STATIC_PREFIX),
    dbPoolSize: toInt(flags.dbPoolSize ?? env.RUNLOG_DB_POOL_SIZE, 'db-pool-size', 10, 1, 1000),
    dataDir,
    deploymentsTarget: env.MLFLOW_DEPLOYMENTS_TARGET || undefined,
    graphqlMaxRootFields: envInt(env, 'MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS', 10),
    graphqlMaxAliases: envInt(env, 'MLFLOW_SERVER_GRAPHQL_MAX_ALIASES', 10),
    allowedHosts: Object.freeze(allowedHosts),
    headersTimeoutMs,
    requestTimeoutMs,
    connectionTimeoutMs: seconds(flags.connectionTimeout ?? env.RUNLOG_CONNECTION_TIMEOUT, 'connection-timeout', 120, 0),
    exposePrometheus: flags.exposePrometheus !== undefined && flags.exposePrometheus !== false,
    logFormat: logFormat(flags.logFormat ?? env.RUNLOG_LOG_FORMAT),
    corsAllowedOrigins: Object.freeze(commaList(flags.corsAllowedOrigins ?? env.RUNLOG_CORS_ALLOWED_ORIGINS)),
  });
}
