/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) with hyperopt 0.2.7's defaults. After the random
 * start-up trials, the finished trials are split by loss: the best ceil(gamma·√n) (at most 25) are "good". For
 * each label, separately, a density l(x) is fitted to its values in good trials and g(x) to those in the other
 * trials, `candidates` values are drawn from l, and the one maximising l(x)/g(x) — expected improvement — is
 * proposed. Conditional spaces: a label is only modelled from the trials in which it was active, and only the
 * labels the proposed choices make active are drawn.
 */
import { acceptance, adaptiveParzen, categoricalPosterior, mixtureLogPdf, sampleMixture, type Support } from './parzen.js';
import { samplePrior } from './prior.js';
import { weightedIndex, type Rng } from './random-source.js';
import { drawVals, type CompiledSpace, type Distribution, type Vals } from './space.js';

export interface TpeOptions {
  /** Random trials before TPE starts (hyperopt: 20). */
  startupTrials?: number;
  /** Fraction factor of good trials: ceil(gamma·√n) (hyperopt: 0.25). */
  gamma?: number;
  /** Candidates drawn from l(x) per label and trial (hyperopt: 24). */
  candidates?: number;
  /** Weight of the prior in each density (hyperopt: 1). */
  priorWeight?: number;
}

export const TPE_DEFAULTS: Required<TpeOptions> = { startupTrials: 20, gamma: 0.25, candidates: 24, priorWeight: 1 };

/** A finished trial as the algorithms see it: its point and, when it succeeded with a number, its loss. */
export interface Observation {
  readonly vals: Readonly<Vals>;
  readonly loss: number | undefined;
}

/** The good/bad split: the indices of the good observations among those with a loss. */
export function splitGood(history: readonly Observation[], gamma: number): Set<number> {
  let scored = 0;
  for (const o of history) if (o.loss !== undefined && Number.isFinite(o.loss)) scored++;
  const nGood = Math.min(Math.ceil(gamma * Math.sqrt(scored)), 25);
  // The nGood lowest losses by insertion into a short sorted list (no sort of the whole history per trial);
  // ties keep trial order, as a stable argsort would.
  const best: { loss: number; i: number }[] = [];
  history.forEach((o, i) => {
    const loss = o.loss;
    if (loss === undefined || !Number.isFinite(loss)) return;
    if (best.length === nGood && loss >= (best[nGood - 1] as { loss: number }).loss) return;
    let at = best.length;
    while (at > 0 && (best[at - 1] as { loss: number }).loss > loss) at--;
    best.splice(at, 0, { loss, i });
    if (best.length > nGood) best.pop();
  });
  return new Set(best.map((b) => b.i));
}

function support(d: Distribution): Support & { priorMu: number; priorSigma: number } {
  switch (d.kind) {
    case 'uniform':
    case 'quniform':
      return { low: d.low, high: d.high, log: false, q: d.kind === 'quniform' ? d.q : undefined, priorMu: (d.low + d.high) / 2, priorSigma: d.high - d.low };
    case 'loguniform':
    case 'qloguniform':
      return { low: d.low, high: d.high, log: true, q: d.kind === 'qloguniform' ? d.q : undefined, priorMu: (d.low + d.high) / 2, priorSigma: d.high - d.low };
    case 'normal':
      return { low: -Infinity, high: Infinity, log: false, q: undefined, priorMu: d.mu, priorSigma: d.sigma };
    default:
      throw new Error(`no continuous support for ${d.kind}`);
  }
}

/** One label's proposal: the candidate from l(x) with the highest log l(x) − log g(x). */
function proposeLabel(d: Distribution, good: number[], bad: number[], o: Required<TpeOptions>, rng: Rng): number {
  if (d.kind === 'choice' || d.kind === 'randint') {
    const size = d.kind === 'choice' ? d.options.length : d.high - d.low;
    const offset = d.kind === 'choice' ? 0 : d.low;
    const pGood = categoricalPosterior(good, size, offset, o.priorWeight);
    const pBad = categoricalPosterior(bad, size, offset, o.priorWeight);
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < o.candidates; c++) {
      const k = weightedIndex(rng, pGood);
      const score = Math.log(pGood[k] as number) - Math.log(pBad[k] as number);
      if (score > bestScore) [best, bestScore] = [k, score];
    }
    return best + offset;
  }
  const s = support(d);
  const toModel = (v: number): number => (s.log ? Math.log(v) : v);
  const l = adaptiveParzen(good.map(toModel), o.priorWeight, s.priorMu, s.priorSigma);
  const g = adaptiveParzen(bad.map(toModel), o.priorWeight, s.priorMu, s.priorSigma);
  const lAccept = acceptance(l, s);
  const gAccept = acceptance(g, s);
  let best = Number.NaN;
  let bestScore = -Infinity;
  for (let c = 0; c < o.candidates; c++) {
    const x = sampleMixture(l, s, rng);
    const score = mixtureLogPdf(l, s, x, lAccept) - mixtureLogPdf(g, s, x, gAccept);
    if (score > bestScore || Number.isNaN(best)) [best, bestScore] = [x, score];
  }
  return best;
}

/** The next point to try, given the finished trials (in trial order). */
export function suggestTpe(space: CompiledSpace, history: readonly Observation[], rng: Rng, options: TpeOptions = {}): Vals {
  const o = { ...TPE_DEFAULTS, ...options };
  if (history.length < o.startupTrials) return drawVals(space.space, (e) => samplePrior(e.dist, rng));
  const goodSet = splitGood(history, o.gamma);
  return drawVals(space.space, (e) => {
    const good: number[] = [];
    const bad: number[] = [];
    history.forEach((obs, i) => {
      const v = obs.vals[e.label];
      if (v === undefined || obs.loss === undefined || !Number.isFinite(obs.loss)) return;
      (goodSet.has(i) ? good : bad).push(v);
    });
    return proposeLabel(e.dist, good, bad, o, rng);
  });
}
