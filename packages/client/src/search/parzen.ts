/**
 * The density models TPE builds per label (Bergstra et al. 2011, as hyperopt 0.2.7 implements them): an
 * adaptive Parzen estimator — one Gaussian per observation plus one for the prior, each as wide as the gap to
 * its neighbours — truncated to the bounds, in log space for the log distributions, integrated over the
 * rounding bin for the quantized ones; and weighted category counts plus a prior pseudo-count for choices.
 */
import { quantize } from './prior.js';
import { gaussian, weightedIndex, type Rng } from './random-source.js';

/** hyperopt's linear forgetting: observations older than the newest `LF` weigh less and less. */
export const LINEAR_FORGETTING = 25;

export function forgettingWeights(n: number, lf = LINEAR_FORGETTING): number[] {
  if (n < lf) return new Array<number>(n).fill(1);
  const ramp = n - lf;
  // numpy's linspace(1/n, 1, num=ramp)
  const out = Array.from({ length: ramp }, (_, i) => (ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1)));
  return out.concat(new Array<number>(lf).fill(1));
}

export interface Mixture {
  readonly weights: number[];
  readonly mus: number[];
  readonly sigmas: number[];
}

/** The adaptive Parzen mixture over `obs` (in trial order) with the prior N(priorMu, priorSigma) inserted. */
export function adaptiveParzen(obs: readonly number[], priorWeight: number, priorMu: number, priorSigma: number): Mixture {
  const n = obs.length;
  const order = obs.map((_, i) => i).sort((a, b) => (obs[a] as number) - (obs[b] as number));
  const sorted = order.map((i) => obs[i] as number);
  let priorPos = sorted.findIndex((v) => v >= priorMu); // numpy searchsorted (left)
  if (priorPos < 0) priorPos = n;
  const mus = [...sorted.slice(0, priorPos), priorMu, ...sorted.slice(priorPos)];
  let sigmas: number[];
  if (n === 0) sigmas = [priorSigma];
  else if (n === 1) sigmas = priorPos === 0 ? [priorSigma, priorSigma * 0.5] : [priorSigma * 0.5, priorSigma];
  else {
    sigmas = mus.map((m, i) => {
      if (i === 0) return (mus[1] as number) - m;
      if (i === mus.length - 1) return m - (mus[i - 1] as number);
      return Math.max(m - (mus[i - 1] as number), (mus[i + 1] as number) - m);
    });
  }
  const unsorted = forgettingWeights(n);
  const sortedWeights = order.map((i) => unsorted[i] as number);
  const weights = [...sortedWeights.slice(0, priorPos), priorWeight, ...sortedWeights.slice(priorPos)];
  const minSigma = priorSigma / Math.min(100, 1 + mus.length);
  sigmas = sigmas.map((s) => Math.min(priorSigma, Math.max(minSigma, s)));
  const total = weights.reduce((a, b) => a + b, 0);
  return { weights: weights.map((w) => w / total), mus, sigmas };
}

// erfc by Numerical Recipes' Chebyshev fit (relative error < 1.2e-7 everywhere): enough for ranking candidates.
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(x: number, mu: number, sigma: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * erfc(-(x - mu) / (sigma * Math.SQRT2));
}

/** Where a mixture lives: truncation bounds (in the mixture's space), log space, rounding step (original space). */
export interface Support {
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly q: number | undefined;
}

/** A draw from the truncated mixture, mapped to the label's space (exp, then rounding). */
export function sampleMixture(m: Mixture, s: Support, rng: Rng): number {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const k = weightedIndex(rng, m.weights);
    const x = (m.mus[k] as number) + (m.sigmas[k] as number) * gaussian(rng);
    if (x < s.low || x > s.high) continue;
    const v = s.log ? Math.exp(x) : x;
    return s.q === undefined ? v : quantize(v, s.q);
  }
  // Practically unreachable (the prior component alone covers the bounds); fall back to the nearest bound.
  return s.log ? Math.exp(s.low) : s.low;
}

/** The mixture's mass inside the bounds (the truncation's normaliser). */
export function acceptance(m: Mixture, s: Support): number {
  let accept = 0;
  for (let k = 0; k < m.weights.length; k++) accept += (m.weights[k] as number) * massBetween(s.low, s.high, m.mus[k] as number, m.sigmas[k] as number);
  return accept;
}

/**
 * P(lo < X ≤ hi) for X ~ N(mu, sg). Beyond 8 sigmas the answer is 0 or 1 to double precision's use here, and
 * skipping erfc there is most of TPE's saving on long histories (narrow kernels far from the interval).
 */
function massBetween(lo: number, hi: number, mu: number, sg: number): number {
  const zl = (lo - mu) / sg;
  const zh = (hi - mu) / sg;
  if (zh < -8 || zl > 8) return 0;
  if (zl < -8 && zh > 8) return 1;
  return normalCdf(hi, mu, sg) - normalCdf(lo, mu, sg);
}

/**
 * log density (or log probability of the rounding bin when quantized) of `v`, given in the label's space;
 * pass `accept` when scoring many values against one mixture.
 */
export function mixtureLogPdf(m: Mixture, s: Support, v: number, accept = acceptance(m, s)): number {
  let p = 0;
  if (s.q === undefined) {
    const x = s.log ? Math.log(v) : v;
    for (let k = 0; k < m.weights.length; k++) {
      const sg = m.sigmas[k] as number;
      const z = (x - (m.mus[k] as number)) / sg;
      const half = 0.5 * z * z;
      // exp(-40) < 1e-17: such kernels add nothing next to the prior's, and skipping exp saves most of the time.
      if (half < 40) p += ((m.weights[k] as number) * Math.exp(-half)) / (sg * Math.sqrt(2 * Math.PI));
    }
    // The log-normal's 1/v Jacobian is the same for every mixture and cancels in TPE's ratio; keep it anyway.
    if (s.log) p /= v;
  } else {
    const lowBound = s.log ? Math.exp(s.low) : s.low;
    const highBound = s.log ? Math.exp(s.high) : s.high;
    const ub = Math.min(v + s.q / 2, highBound);
    const lb = Math.max(v - s.q / 2, lowBound);
    const tx = (x: number): number => (s.log ? (x <= 0 ? -Infinity : Math.log(x)) : x);
    const tub = tx(ub);
    const tlb = tx(lb);
    for (let k = 0; k < m.weights.length; k++) p += (m.weights[k] as number) * massBetween(tlb, tub, m.mus[k] as number, m.sigmas[k] as number);
  }
  return Math.log(Math.max(p, 1e-300)) - Math.log(Math.max(accept, 1e-300));
}

/** Category probabilities: forgetting-weighted counts plus `priorWeight` per category (uniform prior). */
export function categoricalPosterior(obs: readonly number[], size: number, offset: number, priorWeight: number): number[] {
  const weights = forgettingWeights(obs.length);
  const counts = new Array<number>(size).fill(priorWeight);
  obs.forEach((o, i) => {
    const k = o - offset;
    if (k >= 0 && k < size) counts[k] = (counts[k] as number) + (weights[i] as number);
  });
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}
