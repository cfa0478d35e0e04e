/**
 * Trains a TensorFlow.js regression on data it generates, tracked with Runlog's fluent API:
 * params, a loss per epoch, a dataset input, the model with its preprocessor (a standard scaler) and an input
 * example; then registers it, points the `champion` alias at it, loads it back by `models:/…@champion` and
 * predicts.
 *
 *   node --import tsx examples/train-regression.ts
 *
 * Tracks into RUNLOG_TRACKING_URI / MLFLOW_TRACKING_URI (a server URL, a SQLite URI or a folder), by default the
 * local store ./runlog-data/runlog.db. EPOCHS (default 60) and MODEL_NAME (default house-prices) can be set.
 * Serve the result with: runlog models serve -m models:/house-prices@champion -p 5001
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as runlog from '@runlog/client';

const EPOCHS = Number(process.env.EPOCHS ?? 60);
const MODEL_NAME = process.env.MODEL_NAME ?? 'house-prices';
const FEATURES = ['rooms', 'age', 'distance'] as const;
const TRUE_WEIGHTS = [30, -0.8, -4];
const TRUE_BIAS = 50;

/** Deterministic data: price = 30·rooms − 0.8·age − 4·distance + 50 + noise. */
function generate(n: number, seed: number): { rows: number[][]; prices: number[] } {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const rows: number[][] = [];
  const prices: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [1 + Math.floor(rand() * 6), Math.floor(rand() * 80), rand() * 20];
    rows.push(row);
    prices.push(row.reduce((sum, x, j) => sum + x * (TRUE_WEIGHTS[j] ?? 0), TRUE_BIAS) + (rand() - 0.5) * 4);
  }
  return { rows, prices };
}

function columnStats(rows: number[][]): { mean: number[]; scale: number[] } {
  const mean = FEATURES.map((_, j) => rows.reduce((sum, r) => sum + (r[j] ?? 0), 0) / rows.length);
  const scale = FEATURES.map((_, j) => Math.sqrt(rows.reduce((sum, r) => sum + ((r[j] ?? 0) - (mean[j] ?? 0)) ** 2, 0) / rows.length) || 1);
  return { mean, scale };
}

async function main(): Promise<void> {
  const train = generate(800, 7);
  const stats = columnStats(train.rows);
  const scaled = train.rows.map((r) => r.map((x, j) => (x - (stats.mean[j] ?? 0)) / (stats.scale[j] ?? 1)));
  const params = { epochs: EPOCHS, learning_rate: 0.5, batch_size: 64, hidden_units: 0 };

  await runlog.setExperiment('examples-house-prices');
  const logged = await runlog.withRun(
    async (run) => {
      await runlog.logParams(params);
      await runlog.logInput(
        runlog.datasetFromRecords('synthetic-houses', train.rows.map((r) => Object.fromEntries(FEATURES.map((f, j) => [f, r[j]])))),
        'training',
      );
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [FEATURES.length] })] });
      model.compile({ optimizer: tf.train.adam(params.learning_rate), loss: 'meanSquaredError' });
      await model.fit(tf.tensor2d(scaled), tf.tensor2d(train.prices, [train.prices.length, 1]), {
        epochs: EPOCHS,
        batchSize: params.batch_size,
        callbacks: {
          onEpochEnd: (epoch, logs) => {
            runlog.logMetric('loss', logs?.loss ?? Number.NaN, { step: epoch });
          },
        },
      });
      const example = train.rows.slice(0, 2).map((r) => Object.fromEntries(FEATURES.map((f, j) => [f, r[j] ?? 0])));
      const result = await runlog.logModel({
        model: { flavor: 'tfjs', model },
        preprocessor: { module: path.join(path.dirname(fileURLToPath(import.meta.url)), 'modules/standard-scaler.mjs'), state: stats },
        inputExample: example,
        registeredModelName: MODEL_NAME,
      });
      console.log(`run ${run.runId}: logged ${result.modelUri} as ${MODEL_NAME} version ${result.version?.version ?? '?'}`);
      return result;
    },
    { runName: 'tfjs-linear' },
  );

  const client = runlog.getClient();
  await client.setRegisteredModelAlias(MODEL_NAME, 'champion', logged.version?.version ?? '1');
  const champion = await runlog.loadModel(`models:/${MODEL_NAME}@champion`);
  const houses = [
    { rooms: 3, age: 20, distance: 5 },
    { rooms: 5, age: 2, distance: 12 },
  ];
  const predicted = (await champion.predict(houses)) as number[][];
  houses.forEach((house, i) => {
    const truth = TRUE_WEIGHTS.reduce((sum, w, j) => sum + w * house[FEATURES[j] ?? 'rooms'], TRUE_BIAS);
    console.log(`${JSON.stringify(house)} → predicted ${predicted[i]?.[0]?.toFixed(1) ?? '?'}, true ${truth.toFixed(1)}`);
  });
  await client.close();
}

await main();
