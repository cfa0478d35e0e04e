/** Draws from a distribution's prior, as hyperopt's `rand.suggest` does. */
import { gaussian, type Rng } from './random-source.js';
import type { Distribution } from './space.js';

export function quantize(x: number, q: number): number {
  // toPrecision drops float noise (0.30000000000000004) so logged params read as the grid values they are.
  return Number((Math.round(x / q) * q).toPrecision(12));
}

export function samplePrior(d: Distribution, rng: Rng): number {
  const uniform = (low: number, high: number): number => low + (high - low) * rng();
  switch (d.kind) {
    case 'choice':
      return Math.floor(rng() * d.options.length);
    case 'randint':
      return d.low + Math.floor(rng() * (d.high - d.low));
    case 'uniform':
      return uniform(d.low, d.high);
    case 'loguniform':
      return Math.exp(uniform(d.low, d.high));
    case 'quniform':
      return quantize(uniform(d.low, d.high), d.q);
    case 'qloguniform':
      return quantize(Math.exp(uniform(d.low, d.high)), d.q);
    case 'normal':
      return d.mu + d.sigma * gaussian(rng);
  }
}
