import { describe, expect, it } from 'vitest';
import { parseJunit } from './run-suite.js';

describe('parseJunit', () => {
  it("reads each testcase's outcome and failure message from pytest's JUnit XML", () => {
    const xml = `<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="4">
      <testcase classname="t" name="test_a[sqlalchemy]" time="1.0" />
      <testcase classname="t" name="test_b[sqlalchemy]" time="1.0"><failure message="assert 404 == 200 &amp; more">trace</failure></testcase>
      <testcase classname="t" name="test_c[file]" time="0.1"><skipped type="pytest.skip" message="no">x</skipped></testcase>
      <testcase classname="t" name="test_d[sqlalchemy]" time="1.0"><error message="setup &lt;boom&gt;">e</error></testcase>
    </testsuite></testsuites>`;
    const { outcomes, messages } = parseJunit(xml);
    expect(Object.fromEntries(outcomes)).toEqual({
      'test_a[sqlalchemy]': 'passed',
      'test_b[sqlalchemy]': 'failed',
      'test_c[file]': 'skipped',
      'test_d[sqlalchemy]': 'failed',
    });
    expect(messages.get('test_b[sqlalchemy]')).toBe('assert 404 == 200 & more');
    expect(messages.get('test_d[sqlalchemy]')).toBe('setup <boom>');
  });
});
