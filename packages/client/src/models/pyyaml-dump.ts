/**
 * YAML text as Python's `yaml.safe_dump(data, default_flow_style=False)` writes it, for the value shapes an
 * MLmodel file holds (maps, lists, strings, numbers, booleans, null), so a file Runlog writes is byte for byte
 * what MLflow's Python client would write for the same data:
 * - keys sorted; nested maps indented by 2; list items at their key's indentation (`- item`);
 * - strings plain when PyYAML would leave them plain, else single-quoted (`''` escapes a quote), else
 *   double-quoted (control or non-ASCII characters, as with `allow_unicode=False`);
 * - strings PyYAML's YAML 1.1 resolver would read as another type (`yes`, `3.10`, `2024-01-01`, `null`, `~`…)
 *   are quoted;
 * - long plain and single-quoted scalars fold at the first space after column 80, continuation lines indented
 *   one level deeper than their key, exactly as PyYAML's emitter does; line breaks inside single quotes too.
 * Checked against PyYAML on the cases in pyyaml-cases.json. Known differences: a JS number cannot say it was a
 * float, so `100.0` comes out as `100`; an empty key is written `'': v` where PyYAML writes `? ''`.
 */

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

// PyYAML's implicit resolvers (yaml/resolver.py), YAML 1.1.
const IMPLICIT: readonly RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

interface Analysis {
  allowPlain: boolean;
  allowSingle: boolean;
}

/** PyYAML's `Emitter.analyze_scalar`, reduced to the block context. */
function analyze(text: string): Analysis {
  if (text === '') return { allowPlain: false, allowSingle: true };
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let special = false;
  let lineBreaks = false;
  let previousSpace = false;
  let spaceBreak = false;
  let leadingSpace = false;
  let trailingSpace = false;
  let precededByWhitespace = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const next = text[i + 1];
    const followedByWhitespace = next === undefined || ' \t\n\r\x85\u2028\u2029'.includes(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if ('\n\x85\u2028\u2029'.includes(ch)) lineBreaks = true;
    const code = ch.charCodeAt(0);
    if (!(ch === '\n' || (code >= 0x20 && code <= 0x7e))) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === text.length - 1) trailingSpace = true;
      previousSpace = true;
    } else if ('\n\x85\u2028\u2029'.includes(ch)) {
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
    }
    precededByWhitespace = ' \t\n\r\x85\u2028\u2029'.includes(ch);
  }
  if (special) return { allowPlain: false, allowSingle: false };
  if (leadingSpace || trailingSpace || spaceBreak || lineBreaks) return { allowPlain: false, allowSingle: !spaceBreak };
  return { allowPlain: !blockIndicators, allowSingle: true };
}

class Writer {
  out = '';
  column = 0;

  write(text: string): void {
    this.out += text;
    this.column += text.length;
  }

  newline(indent: number): void {
    this.out += `\n${' '.repeat(indent)}`;
    this.column = indent;
  }

  /**
   * PyYAML's write_plain / write_single_quoted: break at a lone space once past the width; inside single quotes a
   * run of line breaks is written as one more blank line than it holds, then the indentation.
   */
  folded(text: string, indent: number, quoted: boolean): void {
    let start = 0;
    let spaces = false;
    let breaks = false;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          const canBreak = start + 1 === end && this.column > BEST_WIDTH && (!quoted || (start !== 0 && end !== text.length));
          if (canBreak) this.newline(indent);
          else this.write(text.slice(start, end));
          start = end;
        }
      } else if (breaks) {
        if (ch !== '\n') {
          this.out += '\n'.repeat(end - start + 1) + ' '.repeat(indent);
          this.column = indent;
          start = end;
        }
      } else if (ch === undefined || ch === ' ' || ch === '\n' || (quoted && ch === "'")) {
        if (start < end) this.write(text.slice(start, end));
        start = end;
      }
      if (quoted && ch === "'") {
        this.write("''");
        start = end + 1;
      }
      spaces = ch === ' ';
      breaks = ch === '\n';
    }
  }
}

function doubleQuoted(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code <= 0xff) out += `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Python's `repr(float)` as PyYAML's represent_float writes it. */
function floatText(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const abs = Math.abs(value);
  let text = abs >= 1e16 || abs < 1e-4 ? value.toExponential() : String(value);
  text = text.replace(/e([+-])(\d)$/, 'e$10$2'); // Python pads the exponent to two digits
  if (text.includes('e') && !text.split('e')[0]?.includes('.')) text = text.replace('e', '.0e');
  return text;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(w: Writer, value: unknown, indent: number): void {
  if (value === null || value === undefined) return w.write(' null');
  if (typeof value === 'boolean') return w.write(value ? ' true' : ' false');
  if (typeof value === 'number') return w.write(` ${Number.isInteger(value) && !Object.is(value, -0) ? String(value) : floatText(value)}`);
  if (typeof value === 'bigint') return w.write(` ${value.toString()}`);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const analysis = analyze(text);
  const implicit = IMPLICIT.some((re) => re.test(text));
  if (analysis.allowPlain && !implicit) {
    w.write(' ');
    w.folded(text, indent, false);
  } else if (analysis.allowSingle) {
    w.write(" '");
    w.folded(text, indent, true);
    w.write("'");
  } else {
    w.write(` ${doubleQuoted(text)}`);
  }
}

function keyText(key: string): string {
  const analysis = analyze(key);
  if (analysis.allowPlain && !IMPLICIT.some((re) => re.test(key))) return key;
  return analysis.allowSingle ? `'${key.replaceAll("'", "''")}'` : doubleQuoted(key);
}

function node(w: Writer, value: unknown, indent: number, first: boolean): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return w.write(' []');
    for (const item of value as unknown[]) {
      w.newline(indent);
      w.write('-');
      if (isMap(item) && Object.keys(item).length > 0) mapEntries(w, item, indent + BEST_INDENT, true);
      else if (Array.isArray(item) && item.length > 0) node(w, item, indent + BEST_INDENT, false);
      else scalar(w, item, indent + BEST_INDENT);
    }
    return;
  }
  if (isMap(value)) {
    if (Object.keys(value).length === 0) return w.write(' {}');
    return mapEntries(w, value, indent, first);
  }
  scalar(w, value, indent + BEST_INDENT);
}

function mapEntries(w: Writer, map: Record<string, unknown>, indent: number, inlineFirst: boolean): void {
  const keys = Object.keys(map)
    .filter((k) => map[k] !== undefined)
    .sort();
  keys.forEach((key, i) => {
    if (i === 0 && inlineFirst) w.write(' ');
    else if (w.out !== '' || i > 0) w.newline(indent);
    w.write(`${keyText(key)}:`);
    const value = map[key];
    if (isMap(value) && Object.keys(value).length > 0) node(w, value, indent + BEST_INDENT, false);
    else if (Array.isArray(value) && value.length > 0) node(w, value, indent, false);
    else if (isMap(value) || Array.isArray(value)) node(w, value, indent, false);
    else scalar(w, value, indent + BEST_INDENT);
  });
}

/** A map as `yaml.safe_dump(map, default_flow_style=False)` writes it (undefined values are left out). */
export function pyyamlDump(map: Record<string, unknown>): string {
  const w = new Writer();
  if (Object.keys(map).length === 0) return '{}\n';
  mapEntries(w, map, 0, false);
  return `${w.out}\n`;
}
