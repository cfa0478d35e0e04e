/**
 * The search algorithms behind one interface, without any tracking: `suggest(trial, history)` gives the point
 * for trial number `trial` (0-based) from the finished trials. Used by `minimize` and usable alone (benchmarks,
 * custom loops).
 */
import { RunlogError } from '@runlog/core';
import { enumerateGrid } from './grid.js';
import { samplePrior } from './prior.js';
import { createRng } from './random-source.js';
import { compileSpace, drawVals, type CompiledSpace, type Vals } from './space.js';
import { suggestTpe, type Observation, type TpeOptions } from './tpe.js';

export type SearchAlgorithm = 'tpe' | 'random' | 'grid';

export interface OptimizerOptions {
  algo?: SearchAlgorithm;
  /** Fixes every trial's draws (default: a random seed). */
  seed?: number;
  tpe?: TpeOptions;
}

export interface Optimizer {
  readonly space: CompiledSpace;
  readonly algo: SearchAlgorithm;
  readonly seed: number;
  /** Grid only: the number of points; otherwise Infinity. */
  readonly size: number;
  suggest(trial: number, history: readonly Observation[]): Vals;
}

export function createOptimizer(space: unknown, options: OptimizerOptions = {}): Optimizer {
  const compiled = compileSpace(space);
  const algo = options.algo ?? 'tpe';
  if (algo !== 'tpe' && algo !== 'random' && algo !== 'grid') {
    throw RunlogError.invalidParameter(`Unknown search algorithm '${String(algo)}': use 'tpe', 'random' or 'grid'.`);
  }
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw RunlogError.invalidParameter(`seed must be an integer, got ${seed}.`);
  const grid = algo === 'grid' ? enumerateGrid(compiled) : undefined;
  return {
    space: compiled,
    algo,
    seed,
    size: grid?.length ?? Infinity,
    suggest(trial, history) {
      const rng = createRng(seed, trial);
      if (grid !== undefined) {
        const point = grid[trial];
        if (point === undefined) throw RunlogError.invalidParameter(`Grid search: trial ${trial} is past the grid's ${grid.length} points.`);
        return point;
      }
      if (algo === 'random') return drawVals(compiled.space, (e) => samplePrior(e.dist, rng));
      return suggestTpe(compiled, history, rng, options.tpe);
    },
  };
}
