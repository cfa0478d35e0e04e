// A toy training loop: the loss decays by `rate` each epoch. Under `runlog run` (or `mlflow run`), startRun()
// attaches to the run the runner created (MLFLOW_RUN_ID); run alone, it starts a new run.
import { parseArgs } from 'node:util';
import * as runlog from '@runlog/client';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '0.3' }, epochs: { type: 'string', default: '5' } } });
const rate = Number(values.rate);
const epochs = Number(values.epochs);

const run = await runlog.startRun();
let loss = 1;
for (let step = 0; step < epochs; step++) {
  loss *= 1 - rate;
  runlog.logMetric('loss', loss, { step });
}
await runlog.setTag('trainer', 'typescript');
await runlog.endRun();
console.log(`run ${run.runId}: final loss ${loss.toFixed(4)} after ${epochs} epochs`);
