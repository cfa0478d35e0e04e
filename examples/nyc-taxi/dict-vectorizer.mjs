// The course's feature step and scikit-learn's DictVectorizer in one preprocessor module, saved with the model:
// PU_DO = "<pickup>_<dropoff>" one-hot encoded over the vocabulary seen in training, trip_distance as a number.
// Runlog imports it from the model folder and calls loadPreprocessor(state); it imports nothing.

/** The feature dict of one trip, as the course builds it. */
export function tripFeatures(trip) {
  return { PU_DO: `${trip.PULocationID}_${trip.DOLocationID}`, trip_distance: Number(trip.trip_distance) };
}

/** DictVectorizer.fit: sorted feature names, strings as "name=value". */
export function fitVocabulary(dicts) {
  const names = new Set();
  for (const d of dicts) for (const [k, v] of Object.entries(d)) names.add(typeof v === 'string' ? `${k}=${v}` : k);
  return [...names].sort();
}

/** DictVectorizer.transform, sparse: per row the (column, value) pairs; unseen categories are dropped. */
export function vectorizeSparse(vocabulary, dicts) {
  const index = new Map(vocabulary.map((name, i) => [name, i]));
  return dicts.map((d) => {
    const cols = [];
    const vals = [];
    for (const [k, v] of Object.entries(d)) {
      const i = index.get(typeof v === 'string' ? `${k}=${v}` : k);
      if (i === undefined) continue;
      cols.push(i);
      vals.push(typeof v === 'string' ? 1 : v);
    }
    return { cols, vals };
  });
}

export function loadPreprocessor(state) {
  return {
    // Data-frame rows of trips → dense feature rows in vocabulary order.
    transform(input) {
      const records = input.rows.map((row) => Object.fromEntries(input.columns.map((c, i) => [c, row[i]])));
      return vectorizeSparse(state.vocabulary, records.map(tripFeatures)).map(({ cols, vals }) => {
        const dense = new Array(state.vocabulary.length).fill(0);
        cols.forEach((c, i) => (dense[c] = vals[i]));
        return dense;
      });
    },
  };
}
