/**
 * The MLOps course's NYC taxi workflow in TypeScript: trip-duration prediction on synthetic, seeded trips.
 *
 *   1. a linear baseline (ridge on the one-hot PU_DO + distance features), its preprocessor saved as an artifact;
 *   2. a TPE search over gradient-boosted trees with `minimize` — one nested run per trial;
 *   3. the best trial's params retrained, with per-round validation RMSE (what `mlflow.xgboost.autolog()` logs),
 *      the model logged with its DictVectorizer preprocessor and registered as `nyc-taxi-duration`;
 *   4. the `champion` alias moved to it, `models:/nyc-taxi-duration@champion` loaded and asked for predictions.
 *
 *   node --import tsx examples/nyc-taxi/train.ts
 *
 * Tracks into RUNLOG_TRACKING_URI / MLFLOW_TRACKING_URI (a server URL, a SQLite URI or a folder). Sizes: TRIPS
 * (training trips, default 20000), EVALS (search trials, default 30), ROUNDS (boosting rounds, default 60),
 * SEED (default 42), MODEL_NAME (default nyc-taxi-duration).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as runlog from '@runlog/client';
import { hp, minimize } from '@runlog/client';
import { fitVocabulary, tripFeatures, vectorizeSparse } from './dict-vectorizer.mjs';
import { densify, fitGbt, fitLinear, rmse, type GbtParams } from './fit.js';
import { predictLinear, predictTrees } from './regression-models.mjs';
import { generateTrips, type Trip } from './taxi-data.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TRIPS = Number(process.env.TRIPS ?? 20_000);
const EVALS = Number(process.env.EVALS ?? 30);
const ROUNDS = Number(process.env.ROUNDS ?? 60);
const SEED = Number(process.env.SEED ?? 42);
const MODEL_NAME = process.env.MODEL_NAME ?? 'nyc-taxi-duration';

// "January" trains, "February" validates, as in the course.
const train = generateTrips(TRIPS, SEED);
const valid = generateTrips(Math.max(200, Math.round(TRIPS / 4)), SEED + 1);
const vocabulary = fitVocabulary(train.map(tripFeatures));
const width = vocabulary.length;
const xTrain = vectorizeSparse(vocabulary, train.map(tripFeatures));
const xValid = vectorizeSparse(vocabulary, valid.map(tripFeatures));
const yTrain = train.map((t) => t.duration);
const yValid = valid.map((t) => t.duration);
const denseValid = densify(xValid, width);

/** The preprocessor file, as the course pickles its DictVectorizer next to the model. */
function preprocessorArtifact(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nyc-taxi-')), 'dict_vectorizer.json');
  fs.writeFileSync(file, JSON.stringify({ features: ['PU_DO', 'trip_distance'], vocabulary }));
  return file;
}

const records = (trips: readonly Trip[]): Record<string, number>[] =>
  trips.map((t) => ({ PULocationID: t.PULocationID, DOLocationID: t.DOLocationID, trip_distance: t.trip_distance }));

async function main(): Promise<void> {
  await runlog.setExperiment('nyc-taxi-experiment');
  const preprocessorFile = preprocessorArtifact();

  // 1. Linear baseline.
  await runlog.withRun(
    async () => {
      const alpha = 1;
      await runlog.setTags({ developer: 'runlog-example', model: 'linear' });
      await runlog.logParams({ alpha, train_trips: train.length, valid_trips: valid.length });
      await runlog.logInput(runlog.datasetFromRecords('green-taxi-2021-01', records(train.slice(0, 1000))), 'training');
      const linear = fitLinear(xTrain, yTrain, width, alpha);
      const score = rmse(denseValid.map((row) => predictLinear(linear, row)), yValid);
      runlog.logMetric('rmse', score);
      await runlog.logArtifact(preprocessorFile, 'preprocessor');
      console.log(`linear baseline: valid RMSE ${score.toFixed(3)}`);
    },
    { runName: 'linear-baseline' },
  );

  // 2. TPE search over boosted trees, one nested run per trial (the course's hyperopt objective).
  const space = {
    max_depth: hp.quniform('max_depth', 2, 6, 1),
    learning_rate: hp.loguniform('learning_rate', Math.log(0.03), Math.log(0.5)),
    min_child_weight: hp.loguniform('min_child_weight', Math.log(1), Math.log(30)),
    reg_lambda: hp.loguniform('reg_lambda', Math.log(0.01), Math.log(10)),
  };
  const search = await minimize({
    space,
    objective: (params, trial) => {
      const model = fitGbt(xTrain, yTrain, width, { ...params, num_boost_round: ROUNDS });
      const score = rmse(denseValid.map((row) => predictTrees(model, row)), yValid);
      trial.logMetric('rmse', score);
      return score;
    },
    maxEvals: EVALS,
    algo: 'tpe',
    seed: SEED,
    earlyStop: Math.max(10, Math.round(EVALS / 2)),
    runName: 'gbt-tpe-search',
  });
  const best = search.best;
  if (best === undefined) throw new Error('no successful trial');
  console.log(`search: ${search.trials.length} trials, best valid RMSE ${best.loss.toFixed(3)} (trial ${best.trial})`);

  // 3. Retrain the best, logging what xgboost's autolog would, and register the model.
  const params: GbtParams = { ...best.params, num_boost_round: ROUNDS };
  const logged = await runlog.withRun(
    async (run) => {
      await runlog.setTags({ developer: 'runlog-example', model: 'gbt', search_run_id: search.parentRunId });
      await runlog.logParams({ ...params });
      await runlog.logInput(runlog.datasetFromRecords('green-taxi-2021-01', records(train.slice(0, 1000))), 'training');
      const model = fitGbt(xTrain, yTrain, width, params, (round, current) => {
        runlog.logMetric('validation-rmse', rmse(denseValid.map((row) => predictTrees(current, row)), yValid), { step: round });
      });
      const score = rmse(denseValid.map((row) => predictTrees(model, row)), yValid);
      runlog.logMetric('rmse', score);
      await runlog.logArtifact(preprocessorFile, 'preprocessor');
      const result = await runlog.logModel({
        model: { flavor: 'js_function', module: path.join(HERE, 'regression-models.mjs'), state: model },
        preprocessor: { module: path.join(HERE, 'dict-vectorizer.mjs'), state: { vocabulary } },
        inputExample: records(valid.slice(0, 2)),
        registeredModelName: MODEL_NAME,
      });
      console.log(`best model: valid RMSE ${score.toFixed(3)}, run ${run.runId}, ${MODEL_NAME} version ${result.version?.version ?? '?'}`);
      return result;
    },
    { runName: 'gbt-best' },
  );

  // 4. Champion alias, load by alias, predict.
  const client = runlog.getClient();
  await client.setRegisteredModelAlias(MODEL_NAME, 'champion', logged.version?.version ?? '1');
  const champion = await runlog.loadModel(`models:/${MODEL_NAME}@champion`);
  const sample = valid.slice(0, 3);
  const predicted = (await champion.predict(records(sample))) as number[];
  sample.forEach((trip, i) => {
    console.log(`trip ${trip.PULocationID}→${trip.DOLocationID}, ${trip.trip_distance} km: predicted ${predicted[i]?.toFixed(2) ?? '?'}, true ${trip.duration.toFixed(2)}`);
  });
  fs.rmSync(path.dirname(preprocessorFile), { recursive: true, force: true });
  await client.close();
}

await main();
