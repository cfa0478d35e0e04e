/**
 * The in-memory index of runs: each run folder read once and kept with a change stamp (file listings, and
 * inode/mtime/size of meta.yaml, tag and metric files). A read re-checks the stamp, which costs stats and
 * listings but no file contents, and re-reads only what changed, so searches over thousands of runs stay fast
 * and still see writes made by other processes (MLflow's client, a second server). Writes from this process
 * drop their run's entry directly, so a write is visible to the next read even within one clock tick.
 *
 * Searches go one step further: every Runlog process appends a byte to `<root>/.runlog-changes` after each
 * run write, so while that file is unchanged an experiment's runs are served from memory without touching
 * each run folder. Writers that do not know the file (MLflow's own client writing into the folder) are caught
 * by the full re-check, which a search does at least once a second (on a store so large or a disk so busy that
 * the re-check itself takes longer than 200 ms, at least every five re-check durations).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetInput, Metric, Param, RunInfo, RunStatus, RunTag } from '@runlog/core';
import { listDirs, listFilesDeep, readText } from './fs-ops.js';
import { RESERVED_EXPERIMENT_FOLDERS, fileUri, localPathOf, type StoreLayout } from './layout.js';
import { latestPoint, parseMetricLines } from './metric-lines.js';
import { num, readMeta, str, writeMeta, type YamlMap } from './yaml-files.js';

export const RUN_STATUS_BY_NUMBER: Record<number, RunStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };
export const RUN_STATUS_NUMBER: Record<RunStatus, number> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };

export interface RunRecord {
  readonly dir: string;
  readonly experimentDir: string;
  readonly info: RunInfo;
  readonly params: Param[];
  readonly tags: RunTag[];
  /** The latest point of each metric. */
  readonly metrics: Metric[];
  readonly inputs: DatasetInput[];
}

interface MetricEntry {
  stamp: string;
  latest: Metric | undefined;
}

interface Entry {
  stamp: string;
  record: RunRecord | undefined;
  metrics: Map<string, MetricEntry>;
}

function fileStamp(file: string): string {
  const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.ino}.${st.mtimeNs}.${st.size}` : '-';
}

interface Listing {
  stamp: string;
  params: string[];
  tags: string[];
  metrics: string[];
  inputs: string[];
  metricStamps: string[];
}

function list(dir: string): Listing {
  const params = listFilesDeep(path.join(dir, 'params'));
  const tags = listFilesDeep(path.join(dir, 'tags'));
  const metrics = listFilesDeep(path.join(dir, 'metrics'));
  const inputs = listDirs(path.join(dir, 'inputs'));
  const metricStamps = metrics.map((k) => fileStamp(path.join(dir, 'metrics', ...k.split('/'))));
  const parts = [fileStamp(path.join(dir, 'meta.yaml')), params.join('\0'), inputs.join('\0'), metricStamps.join(',')];
  for (const t of tags) parts.push(t, fileStamp(path.join(dir, 'tags', ...t.split('/'))));
  return { stamp: parts.join('|'), params, tags, metrics, inputs, metricStamps };
}

function readKeyFiles(dir: string, keys: readonly string[]): { key: string; value: string }[] {
  return keys.map((key) => ({ key, value: readText(path.join(dir, ...key.split('/'))) ?? '' }));
}

function readInputs(runDir: string, experimentDir: string, ids: readonly string[]): DatasetInput[] {
  const out: DatasetInput[] = [];
  for (const id of ids) {
    const meta = readMeta(path.join(runDir, 'inputs', id));
    if (!meta || meta.source_type !== 'DATASET') continue;
    const datasetId = str(meta.source_id);
    if (!/^[\w-]+$/.test(datasetId)) continue;
    const d = readMeta(path.join(experimentDir, 'datasets', datasetId));
    if (!d) continue;
    const dataset: DatasetInput['dataset'] = { name: str(d.name), digest: str(d.digest), source_type: str(d.source_type), source: str(d.source) };
    if (typeof d.schema === 'string') dataset.schema = d.schema;
    if (typeof d.profile === 'string') dataset.profile = d.profile;
    const input: DatasetInput = { dataset };
    const tags = meta.tags;
    if (tags && typeof tags === 'object' && !Array.isArray(tags)) {
      const list = Object.entries(tags as YamlMap).map(([key, value]) => ({ key, value: str(value) }));
      if (list.length > 0) input.tags = list;
    }
    out.push(input);
  }
  return out;
}

/** A run's artifact URI, moved along with the store when the recorded `file:` folder no longer exists. */
function relocateArtifactUri(uri: string, runDir: string): string {
  const local = localPathOf(uri);
  if (local === undefined || fs.existsSync(local)) return uri;
  if (path.basename(local) !== 'artifacts' || path.basename(path.dirname(local)) !== path.basename(runDir)) return uri;
  return fileUri(path.join(runDir, 'artifacts'));
}

export function runInfoFromMeta(meta: YamlMap, runDir: string, tags: readonly RunTag[]): RunInfo {
  const runId = str(meta.run_id) || str(meta.run_uuid);
  const status = typeof meta.status === 'number' ? RUN_STATUS_BY_NUMBER[meta.status] : undefined;
  const info: RunInfo = {
    run_id: runId,
    run_uuid: runId,
    run_name: str(meta.run_name) || (tags.find((t) => t.key === 'mlflow.runName')?.value ?? ''),
    experiment_id: str(meta.experiment_id),
    user_id: str(meta.user_id),
    status: status ?? (typeof meta.status === 'string' ? (meta.status as RunStatus) : 'RUNNING'),
    start_time: num(meta.start_time) ?? 0,
    artifact_uri: relocateArtifactUri(str(meta.artifact_uri), runDir),
    lifecycle_stage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
  };
  const end = num(meta.end_time);
  if (end !== undefined) info.end_time = end;
  return info;
}

/** The meta.yaml MLflow writes for a run (tags live in files; `tags: []` is kept for old readers). */
export function persistedRunMeta(info: RunInfo, deletedTime: number | null | undefined): YamlMap {
  const meta: YamlMap = {
    artifact_uri: info.artifact_uri,
    end_time: info.end_time ?? null,
    entry_point_name: '',
    experiment_id: info.experiment_id,
    lifecycle_stage: info.lifecycle_stage,
    run_id: info.run_id,
    run_name: info.run_name,
    run_uuid: info.run_id,
    source_name: '',
    source_type: 4,
    source_version: '',
    start_time: info.start_time,
    status: RUN_STATUS_NUMBER[info.status],
    tags: [],
    user_id: info.user_id,
  };
  if (deletedTime !== undefined) meta.deleted_time = deletedTime;
  return meta;
}

/**
 * How long a search may trust the change counter alone, i.e. how stale a foreign (non-Runlog) write may look:
 * a second, or five times what the last full re-check took when that is longer (a huge store on a busy disk),
 * so full re-checks never take most of the time.
 */
const FOREIGN_WRITE_WINDOW_MS = 1000;
const FULL_CHECK_SHARE = 5;
const CHANGES_FILE = '.runlog-changes';
const CHANGES_MAX_BYTES = 1 << 20;

interface Snapshot {
  counter: string;
  /** When the full re-check ended, and how long it took. */
  at: number;
  took: number;
  records: Map<string, RunRecord>;
  /** Run folders this process wrote since the snapshot: re-read on the next search, the rest reused. */
  dirty: Set<string>;
}

const statStamp = (st: fs.BigIntStats): string => `${st.ino}.${st.mtimeNs}.${st.size}`;

export class RunIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly dirOf = new Map<string, string>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly changesFile: string;

  constructor(private readonly layout: StoreLayout) {
    this.changesFile = path.join(layout.root, CHANGES_FILE);
  }

  /**
   * Tells every Runlog process sharing the store that runs changed (one appended byte; kept under 1 MiB). When
   * the counter grew by exactly this byte, no other writer came in between, so this process's snapshots that
   * were current stay current with `runDir` marked for re-reading instead of re-checking every run.
   */
  private bump(runDir?: string): void {
    const fd = fs.openSync(this.changesFile, 'a');
    try {
      const before = fs.fstatSync(fd, { bigint: true });
      fs.writeSync(fd, '.');
      const after = fs.fstatSync(fd, { bigint: true });
      if (after.size > CHANGES_MAX_BYTES) fs.ftruncateSync(fd, 0);
      else if (after.size === before.size + 1n) {
        const was = statStamp(before);
        for (const [expDir, snap] of this.snapshots) {
          if (snap.counter !== was) continue;
          snap.counter = statStamp(after);
          if (runDir !== undefined && path.dirname(runDir) === expDir) snap.dirty.add(runDir);
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The runs of an experiment folder, current as of this call up to FOREIGN_WRITE_WINDOW_MS for foreign writers. */
  runsOf(experimentDir: string): RunRecord[] {
    const counter = fileStamp(this.changesFile);
    const now = Date.now();
    const snap = this.snapshots.get(experimentDir);
    if (snap && snap.counter === counter && now - snap.at < Math.max(FOREIGN_WRITE_WINDOW_MS, FULL_CHECK_SHARE * snap.took)) {
      for (const dir of snap.dirty) {
        const run = this.read(dir);
        if (run) snap.records.set(dir, run);
        else snap.records.delete(dir);
      }
      snap.dirty.clear();
      return [...snap.records.values()];
    }
    const records = new Map<string, RunRecord>();
    for (const dir of this.runDirs(experimentDir)) {
      const run = this.read(dir);
      if (run) records.set(dir, run);
    }
    // The counter was read before the pass: a Runlog write during the pass shows up as a change next time.
    const end = Date.now();
    this.snapshots.set(experimentDir, { counter, at: end, took: end - now, records, dirty: new Set() });
    return [...records.values()];
  }

  /** The folder of run `runId` (in an active or deleted experiment), or undefined. */
  locate(runId: string): string | undefined {
    const known = this.dirOf.get(runId);
    if (known && fs.existsSync(path.join(known, 'meta.yaml'))) return known;
    this.dirOf.delete(runId);
    const parents = [
      ...this.layout.activeExperimentIds().map((id) => path.join(this.layout.root, id)),
      ...this.layout.deletedExperimentIds().map((id) => path.join(this.layout.trash, id)),
    ];
    for (const exp of parents) {
      const dir = path.join(exp, runId);
      if (fs.existsSync(path.join(dir, 'meta.yaml'))) {
        this.dirOf.set(runId, dir);
        return dir;
      }
    }
    return undefined;
  }

  /** The run in `dir`, current as of this call; undefined for a folder that is not a run of its experiment. */
  read(dir: string): RunRecord | undefined {
    const listing = list(dir);
    const cached = this.entries.get(dir);
    if (cached && cached.stamp === listing.stamp) return cached.record;
    const entry: Entry = { stamp: listing.stamp, record: undefined, metrics: new Map() };
    const experimentDir = path.dirname(dir);
    const meta = readMeta(dir);
    if (meta && str(meta.experiment_id) === path.basename(experimentDir)) {
      const tags = readKeyFiles(path.join(dir, 'tags'), listing.tags);
      const metrics: Metric[] = [];
      listing.metrics.forEach((key, i) => {
        const stamp = listing.metricStamps[i] ?? '-';
        let m = cached?.metrics.get(key);
        if (!m || m.stamp !== stamp) {
          const text = readText(path.join(dir, 'metrics', ...key.split('/'))) ?? '';
          m = { stamp, latest: latestPoint(parseMetricLines(key, text)) };
        }
        entry.metrics.set(key, m);
        if (m.latest) metrics.push(m.latest);
      });
      entry.record = {
        dir,
        experimentDir,
        info: runInfoFromMeta(meta, dir, tags),
        params: readKeyFiles(path.join(dir, 'params'), listing.params),
        tags,
        metrics,
        inputs: readInputs(dir, experimentDir, listing.inputs),
      };
      this.dirOf.set(entry.record.info.run_id, dir);
    }
    this.entries.set(dir, entry);
    return entry.record;
  }

  /** Every run folder of an experiment folder. */
  runDirs(experimentDir: string): string[] {
    return listDirs(experimentDir)
      .filter((name) => !RESERVED_EXPERIMENT_FOLDERS.has(name))
      .map((name) => path.join(experimentDir, name));
  }

  invalidate(dir: string): void {
    this.entries.delete(dir);
    this.bump(dir);
  }

  /** Drops every cached run under an experiment folder that moved (to or from .trash). */
  forgetExperiment(experimentDir: string): void {
    for (const dir of this.entries.keys()) if (path.dirname(dir) === experimentDir) this.entries.delete(dir);
    for (const [id, dir] of this.dirOf) if (path.dirname(dir) === experimentDir) this.dirOf.delete(id);
    this.snapshots.delete(experimentDir);
    this.bump();
  }

  /** Marks the runs of an experiment that is being deleted (restored) as deleted (active), as MLflow does. */
  setLifecycleOfExperimentRuns(experimentDir: string, stage: 'active' | 'deleted', now: number): void {
    for (const dir of this.runDirs(experimentDir)) {
      const run = this.read(dir);
      if (!run || run.info.lifecycle_stage === stage) continue;
      writeMeta(dir, persistedRunMeta({ ...run.info, lifecycle_stage: stage }, stage === 'deleted' ? now : undefined));
      this.invalidate(dir);
    }
  }
}
