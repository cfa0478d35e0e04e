/**
 * Grid search over a space whose distributions are all discrete: choices (each option), randint (each
 * integer), quniform/qloguniform (each multiple of q within the bounds). Points are enumerated depth-first in
 * the space's order, so the trial number alone says which point a trial gets; inactive labels are not crossed.
 */
import { RunlogError } from '@runlog/core';
import { quantize } from './prior.js';
import { HpExpr, type CompiledSpace, type Distribution, type Vals } from './space.js';

const MAX_GRID_POINTS = 1_000_000;

function levels(label: string, d: Distribution): number[] {
  const range = (from: number, to: number, step: number): number[] => {
    const out: number[] = [];
    for (let k = Math.ceil(from / step - 1e-9); k * step <= to + 1e-9 * step; k++) out.push(quantize(k * step, step));
    return out;
  };
  switch (d.kind) {
    case 'choice':
      return d.options.map((_, i) => i);
    case 'randint':
      return range(d.low, d.high - 1, 1);
    case 'quniform':
      return range(d.low, d.high, d.q);
    case 'qloguniform':
      return range(Math.exp(d.low), Math.exp(d.high), d.q);
    default:
      throw RunlogError.invalidParameter(
        `Grid search cannot enumerate hp.${d.kind}('${label}'): use hp.choice, hp.randint, hp.quniform or hp.qloguniform.`,
      );
  }
}

/** Every point of the grid, in order. */
export function enumerateGrid(space: CompiledSpace): Vals[] {
  for (const [label, e] of space.labels) if (levels(label, e.dist).length === 0) {
    throw RunlogError.invalidParameter(`Grid search: hp.${e.dist.kind}('${label}') has no value within its bounds.`);
  }
  // Expands the list of nodes still to visit into every combination of their values.
  const expand = (todo: readonly unknown[], vals: Vals, out: Vals[]): void => {
    if (out.length > MAX_GRID_POINTS) throw RunlogError.invalidParameter(`Grid search: the grid has more than ${MAX_GRID_POINTS} points.`);
    if (todo.length === 0) {
      out.push({ ...vals });
      return;
    }
    const [node, ...rest] = todo;
    if (node instanceof HpExpr) {
      if (node.label in vals) return expand(rest, vals, out);
      for (const v of levels(node.label, node.dist)) {
        const next = node.dist.kind === 'choice' ? [node.dist.options[v], ...rest] : rest;
        expand(next, { ...vals, [node.label]: v }, out);
      }
    } else if (Array.isArray(node)) {
      expand([...(node as unknown[]), ...rest], vals, out);
    } else if (typeof node === 'object' && node !== null) {
      expand([...Object.values(node as Record<string, unknown>), ...rest], vals, out);
    } else {
      expand(rest, vals, out);
    }
  };
  const out: Vals[] = [];
  expand([space.space], {}, out);
  return out;
}
