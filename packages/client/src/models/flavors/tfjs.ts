/**
 * The `tfjs` flavor: a TensorFlow.js layers model saved as `model.json` (topology + weights manifest) and
 * `weights.bin`, written through `tf.io.withSaveHandler` (the `file://` handler needs tfjs-node). Predictions
 * are the model's output as nested arrays (a data frame's rows, or a tensor, feed the single input).
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunlogError } from '@runlog/core';
import type { LayersModel } from '@tensorflow/tfjs';
import { flatten, shapeOf } from '../model-input.js';
import { importPeer } from '../../optional-peer.js';
import { flavorFile, type FlavorLoader } from './flavor.js';

export const TFJS = 'tfjs';

type Tf = typeof import('@tensorflow/tfjs');

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
}

export async function saveTfjsModel(dir: string, model: LayersModel): Promise<Record<string, unknown>> {
  const tf = await importPeer('@tensorflow/tfjs', 'The tfjs flavor', () => import('@tensorflow/tfjs') as Promise<Tf>);
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      const weights = artifacts.weightData;
      const buffers = weights === undefined ? [] : Array.isArray(weights) ? weights : [weights];
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(buffers.map((b) => Buffer.from(b))));
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  return { model: 'model.json', tfjs_version: tf.version.tfjs };
}

export const tfjsFlavor: FlavorLoader = {
  name: TFJS,
  load: async (dir, config) => {
    const tf = await importPeer('@tensorflow/tfjs', 'The tfjs flavor', () => import('@tensorflow/tfjs') as Promise<Tf>);
    const jsonFile = path.join(dir, flavorFile(config, 'model', TFJS));
    const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as ModelJson;
    const manifest = json.weightsManifest[0];
    const weightFile = path.join(path.dirname(jsonFile), manifest?.paths[0] ?? 'weights.bin');
    const bytes = fs.readFileSync(weightFile);
    const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as object,
        weightSpecs: (manifest?.weights ?? []) as Parameters<typeof tf.io.fromMemory>[1],
        weightData,
      }),
    );
    return {
      predict: (input) => {
        if (input.kind === 'tensors') throw RunlogError.invalidParameter('The tfjs flavor takes a data frame or a single tensor.');
        const data = input.kind === 'dataframe' ? input.rows : input.data;
        const x = tf.tensor(flatten(data).map(Number), shapeOf(data));
        const y = model.predict(x);
        const out = Array.isArray(y) ? y.map((t) => t.arraySync()) : y.arraySync();
        x.dispose();
        (Array.isArray(y) ? y : [y]).forEach((t) => t.dispose());
        return out;
      },
    };
  },
};
