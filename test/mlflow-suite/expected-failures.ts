/**
 * MLflow tests allowed to fail against Runlog, each with its reason. A test listed here that starts passing fails
 * the run too, so the list stays true. `[sqlalchemy]` starts (and stays) empty.
 */
export const EXPECTED_FAILURES: Readonly<Record<'sqlalchemy' | 'file', Readonly<Record<string, string>>>> = {
  sqlalchemy: {},
  file: {
    'test_start_and_end_trace[file]': 'traces are not kept by the file store yet (the SQL stores keep them)',
    'test_start_and_end_trace_non_string_name[file]': 'traces are not kept by the file store yet',
    'test_search_traces[file]': 'traces are not kept by the file store yet',
    'test_delete_traces[file]': 'traces are not kept by the file store yet',
    'test_set_and_delete_trace_tag[file]': 'traces are not kept by the file store yet',
    'test_get_trace_artifact_handler[file]': 'traces are not kept by the file store yet',
  },
};
