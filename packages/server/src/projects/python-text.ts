/**
 * The two pieces of Python text behaviour MLflow's project runner relies on, so a command and the logged
 * parameters come out as `mlflow run` makes them: `shlex.quote` for every substituted value, and `str()` of the
 * scalars PyYAML hands back for defaults.
 */

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Python's `shlex.quote`: unchanged when only safe characters, else single-quoted. */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (SHELL_SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** Python's `str(float)`: shortest round-trip digits, `1.0` for integral values, exponent form below 1e-4 and from 1e16. */
export function pythonFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exp = '0'] = n.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent >= -4 && exponent < 16) {
    const fixed = n.toString(); // JavaScript prints fixed notation across this whole range
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
}
