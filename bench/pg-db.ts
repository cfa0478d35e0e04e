// A fresh PostgreSQL database per bench run, so figures never depend on rows left by earlier runs.
import pg from 'pg';
import { log } from './common.js';

/** Where the bench creates its databases (trust auth on the local test server by default). */
const ADMIN_URL = process.env.RUNLOG_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  uri: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `runlog_bench_${Date.now()}_${process.pid}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  log(`fresh PostgreSQL database ${name}`);
  return { uri: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}
