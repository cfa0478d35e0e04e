/**
 * Autologging for TensorFlow.js (`autolog.tfjs(model)` → a `fit` callback), after MLflow's Keras autolog: at
 * the start of training the params (epochs, batch size, optimizer name and config, learning rate) and the layer
 * summary (`model_summary.txt`); per epoch the logs (`loss`, `val_loss`, metrics) at step = epoch; early-stopping
 * params and `stopped_epoch`; at the end the model with the `tfjs` flavor. A run is started when none is active
 * and ended after the model is logged, as MLflow does.
 *
 * TensorFlow.js is loaded synchronously (createRequire) on the first call only, so `@runlog/client` does not
 * load it for users who never autolog; it is the same module instance the caller's model comes from.
 */
import { createRequire } from 'node:module';
import type { Callback, LayersModel } from '@tensorflow/tfjs';
import type { LoggedModel } from '../models/model-io.js';
import { requirePeer } from '../optional-peer.js';
import { activeRun, endRun, logMetric, logModel, logParams, logText, startRun } from '../tracking/fluent.js';

export interface TfjsAutologOptions {
  /** Log the model at the end of training (default true). */
  logModel?: boolean;
  /** Register the logged model under this name. */
  registeredModelName?: string;
  /** Name of the run started when none is active. */
  runName?: string;
  /** The `tf.callbacks.earlyStopping(...)` passed to the same `fit`, to log its settings and stopped epoch. */
  earlyStopping?: Callback;
  /** Called with the logged model (e.g. to set an alias). */
  onModelLogged?: (logged: LoggedModel) => void | Promise<void>;
}

type Tf = typeof import('@tensorflow/tfjs');
type CallbackClass = new (model: LayersModel, options: TfjsAutologOptions) => Callback;
let callbackClass: CallbackClass | undefined;

/** What tfjs' EarlyStopping keeps in protected fields (they exist at run time). */
interface EarlyStoppingFields {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  baseline?: number;
  mode?: string;
}

function optimizerParams(model: LayersModel): Record<string, unknown> {
  const optimizer = (model as { optimizer?: { getClassName(): string; getConfig(): Record<string, unknown> } }).optimizer;
  if (optimizer === undefined) return {};
  const out: Record<string, unknown> = { optimizer_name: optimizer.getClassName() };
  for (const [key, value] of Object.entries(optimizer.getConfig())) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      out[key === 'learningRate' ? 'learning_rate' : `opt_${key}`] = value;
    }
  }
  return out;
}

function defineCallback(tf: Tf): CallbackClass {
  return class AutologCallback extends tf.Callback {
    private startedRun = false;
    private lastEpoch = -1;

    constructor(
      private readonly target: LayersModel,
      private readonly options: TfjsAutologOptions,
    ) {
      super();
    }

    override async onTrainBegin(): Promise<void> {
      if (activeRun() === undefined) {
        await startRun(this.options.runName !== undefined ? { runName: this.options.runName } : {});
        this.startedRun = true;
      }
      const p = this.params as { epochs?: number; batchSize?: number; initialEpoch?: number; samples?: number };
      const params: Record<string, unknown> = { ...optimizerParams(this.target) };
      if (p.epochs !== undefined) params.epochs = p.epochs;
      if (p.batchSize !== undefined) params.batch_size = p.batchSize;
      if (p.initialEpoch !== undefined) params.initial_epoch = p.initialEpoch;
      const es = this.options.earlyStopping as EarlyStoppingFields | undefined;
      if (es !== undefined) {
        // tfjs keeps min_delta negated when minimising; log the value the user gave.
        Object.assign(params, { monitor: es.monitor, min_delta: es.minDelta !== undefined ? Math.abs(es.minDelta) : undefined, patience: es.patience, mode: es.mode });
        if (es.baseline !== undefined) params.baseline = es.baseline;
      }
      await logParams(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)));
      const lines: string[] = [];
      this.target.summary(undefined, undefined, (line: string) => lines.push(line));
      await logText(`${lines.join('\n')}\n`, 'model_summary.txt');
    }

    // A Callback subclass gets the logs unresolved: numbers or scalar tensors.
    override async onEpochEnd(epoch: number, logs?: Record<string, unknown>): Promise<void> {
      this.lastEpoch = epoch;
      for (const [key, value] of Object.entries(logs ?? {})) {
        const v = value instanceof tf.Tensor ? (await value.data())[0] : value;
        if (typeof v === 'number') logMetric(key, v, { step: epoch });
      }
    }

    override async onTrainEnd(): Promise<void> {
      const epochs = (this.params as { epochs?: number }).epochs;
      // Stopped early (by EarlyStopping or anything else setting stopTraining) when fewer epochs ran than asked.
      if (epochs !== undefined && this.lastEpoch + 1 < epochs) logMetric('stopped_epoch', this.lastEpoch, { step: 0 });
      try {
        if (this.options.logModel !== false) {
          const logged = await logModel({
            model: { flavor: 'tfjs', model: this.target },
            ...(this.options.registeredModelName !== undefined ? { registeredModelName: this.options.registeredModelName } : {}),
          });
          await this.options.onModelLogged?.(logged);
        }
      } finally {
        if (this.startedRun) await endRun();
      }
    }
  };
}

/**
 * A callback for `model.fit(x, y, { callbacks: [autolog.tfjs(model)] })` (with other tfjs callbacks in the same
 * array if needed) that logs the training to the active run, or to a new one.
 */
export function tfjsAutolog(model: LayersModel, options: TfjsAutologOptions = {}): Callback {
  if (callbackClass === undefined) {
    const tf = requirePeer('@tensorflow/tfjs', 'autolog.tfjs', () => createRequire(import.meta.url)('@tensorflow/tfjs') as Tf);
    callbackClass = defineCallback(tf);
  }
  return new callbackClass(model, options);
}

/** Autologging integrations, as `mlflow.<flavor>.autolog`. */
export const autolog = { tfjs: tfjsAutolog };

