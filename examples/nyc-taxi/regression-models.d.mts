export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}
export interface TreesState {
  kind: 'trees';
  base: number;
  trees: Tree[];
}
export interface LinearState {
  kind: 'linear';
  intercept: number;
  weights: number[];
}
export function predictTrees(state: TreesState, row: ArrayLike<number>): number;
export function predictLinear(state: LinearState, row: ArrayLike<number>): number;
export function loadModel(state: TreesState | LinearState): { predict(input: unknown): number[] };
