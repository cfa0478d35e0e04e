// Preprocessor module logged beside the model: standardises each column with the training mean and scale.
// Runlog imports it from the model folder and calls loadPreprocessor(state); keep it free of imports.
export function loadPreprocessor(state) {
  return {
    transform(input) {
      const rows = input.kind === 'dataframe' ? input.rows : input.data;
      return rows.map((row) => row.map((x, i) => (Number(x) - state.mean[i]) / state.scale[i]));
    },
  };
}
