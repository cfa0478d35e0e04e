export interface TripLike {
  PULocationID: number;
  DOLocationID: number;
  trip_distance: number;
}
export type FeatureDict = Record<string, string | number>;
export interface SparseRow {
  cols: number[];
  vals: number[];
}
export function tripFeatures(trip: TripLike): FeatureDict;
export function fitVocabulary(dicts: readonly FeatureDict[]): string[];
export function vectorizeSparse(vocabulary: readonly string[], dicts: readonly FeatureDict[]): SparseRow[];
export function loadPreprocessor(state: { vocabulary: string[] }): { transform(input: { columns: string[]; rows: unknown[][] }): number[][] };
