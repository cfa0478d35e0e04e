// registry_search, registry_search_page, registry_version_search: 10,000 registered models with 10 versions each
// (2 tags per model, 1 per version). Every timed response is checked against the exact expected names.
import { BenchError, expectJson, jsonBody, list, obj, str } from './http.js';
import { API, emit, log, pool, type Ctx } from './common.js';
import { round, summarize } from './stats.js';

const MODELS = 10_000;
const VERSIONS = 10;
const SEED_CLIENTS = 4;
const WARMUP = 5;
const ITERATIONS = 50;
const PAGE = 100;
/** What MLflow 2.21+ clients append to every registered-model search. */
const PROMPT_CLAUSE = "tags.`mlflow.prompt.is_prompt` != 'true'";

export async function registrySearch(ctx: Ctx): Promise<void> {
  const total = Math.max(20, Math.round(MODELS * ctx.scale));
  const prefix = `bench-${ctx.tag}-model-`;
  const name = (i: number): string => `${prefix}${String(i).padStart(5, '0')}`;
  await seed(ctx, total, name);

  // Models whose number starts with 01 and whose team is team-3 (i % 4 === 3), by name.
  const teamFilter = (i: number): boolean => i % 4 === 3 && String(i).padStart(5, '0').startsWith('01');
  const expectFiltered = Array.from({ length: total }, (_, i) => i).filter(teamFilter).map(name).slice(0, PAGE);
  const filter = `name LIKE '${prefix}01%' AND tags.team = 'team-3' AND ${PROMPT_CLAUSE}`;
  const filtered = await timeGet(ctx, 'registered-models/search', { filter, max_results: PAGE }, 'registered_models', expectFiltered);
  emit(ctx, 'registry_search', { p50_ms: round(filtered.p50), p95_ms: round(filtered.p95), models_returned: expectFiltered.length, models_seeded: total, versions_per_model: VERSIONS, iterations: ITERATIONS });

  const expectPage = Array.from({ length: Math.min(PAGE, total) }, (_, i) => name(i));
  const page = await timeGet(ctx, 'registered-models/search', { filter: `name LIKE '${prefix}%' AND ${PROMPT_CLAUSE}`, max_results: PAGE }, 'registered_models', expectPage);
  emit(ctx, 'registry_search_page', { p50_ms: round(page.p50), p95_ms: round(page.p95), models_returned: expectPage.length, models_seeded: total, iterations: ITERATIONS });

  const target = name(Math.floor(total / 2));
  const expectVersions = Array.from({ length: VERSIONS }, () => target);
  const versions = await timeGet(ctx, 'model-versions/search', { filter: `name = '${target}'`, max_results: 10_000 }, 'model_versions', expectVersions);
  emit(ctx, 'registry_version_search', { p50_ms: round(versions.p50), p95_ms: round(versions.p95), versions_returned: VERSIONS, versions_seeded: total * VERSIONS, iterations: ITERATIONS });
}

/** Untimed: `total` models (tags team, tier) with VERSIONS versions each (tag validated), 4 clients. */
async function seed(ctx: Ctx, total: number, name: (i: number) => string): Promise<void> {
  log(`registry: seeding ${total} models x ${VERSIONS} versions`);
  let done = 0;
  await pool(SEED_CLIENTS, total, async (i) => {
    const model = name(i);
    const created = await ctx.http.post(
      `${API}/registered-models/create`,
      jsonBody({ name: model, tags: [{ key: 'team', value: `team-${i % 4}` }, { key: 'tier', value: i % 2 === 0 ? 'gold' : 'silver' }] }),
    );
    expectJson(created, 'registered-models/create');
    for (let v = 1; v <= VERSIONS; v++) {
      const res = await ctx.http.post(
        `${API}/model-versions/create`,
        jsonBody({ name: model, source: `mlflow-artifacts:/bench/${model}/${v}`, tags: [{ key: 'validated', value: v % 2 === 0 ? 'true' : 'false' }] }),
      );
      const version = str(obj(expectJson(res, 'model-versions/create')['model_version'], 'model_version'), 'version', 'model_version');
      if (version !== String(v)) throw new BenchError(`model-versions/create: got version ${version}, expected ${v}`);
    }
    if (++done % 2000 === 0) log(`registry: seeded ${done}/${total}`);
  });
}

async function timeGet(
  ctx: Ctx,
  route: string,
  query: Record<string, string | number>,
  key: string,
  expected: string[],
): Promise<{ p50: number; p95: number }> {
  const lat: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const res = await ctx.http.get(`${API}/${route}`, query);
    if (i >= WARMUP) lat.push(res.ms);
    const items = list(expectJson(res, route), key, route);
    const names = items.map((m) => str(obj(m, `${route}: item`), 'name', `${route}: item`));
    if (JSON.stringify(names) !== JSON.stringify(expected)) {
      throw new BenchError(`${route}: got ${names.length} items [${names.slice(0, 3).join(', ')}…], expected ${expected.length} [${expected.slice(0, 3).join(', ')}…]`);
    }
  }
  const s = summarize(lat);
  return { p50: s.p50, p95: s.p95 };
}
