// Prediction for the example's two model kinds, saved as the js_function flavor's module: a linear model
// (intercept + weights) and gradient-boosted regression trees (flat node arrays). It imports nothing.

/** Trees: node i is a leaf when feature[i] < 0; otherwise x[feature] <= threshold goes to left[i]. */
export function predictTrees(state, row) {
  let y = state.base;
  for (const t of state.trees) {
    let i = 0;
    while (t.feature[i] >= 0) i = row[t.feature[i]] <= t.threshold[i] ? t.left[i] : t.right[i];
    y += t.value[i];
  }
  return y;
}

export function predictLinear(state, row) {
  let y = state.intercept;
  for (let j = 0; j < state.weights.length; j++) y += state.weights[j] * (row[j] ?? 0);
  return y;
}

export function loadModel(state) {
  const one = state.kind === 'trees' ? predictTrees : predictLinear;
  return {
    predict(input) {
      const rows = input.kind === 'tensor' ? input.data : input.rows;
      return rows.map((row) => one(state, row));
    },
  };
}
