const REGEXP_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

/**
 * Translates a SQL LIKE pattern for in-memory matching: `%` is any sequence, `_` one character, and
 * everything else is literal (no escape character, as in MLflow). Anchored at both ends.
 */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(REGEXP_SPECIAL, '\\$&');
  }
  // `s` lets wildcards cross newlines; `u` makes `_` one code point, not one UTF-16 unit.
  return new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su');
}
