/**
 * One delimited-text reader (RFC 4180) for the scoring server's CSV input and the UI's CSV/TSV preview, so both
 * read a file the same way: a quote opens a quoted field only at the field's start (elsewhere it is text, as in
 * Python's csv and pandas), a doubled quote inside one is a quote, a quoted field may hold delimiters and line
 * breaks, records end at LF, CRLF or CR, and blank lines are skipped. No I/O: safe in the browser.
 */

export interface DelimitedOptions {
  /** Field separator (default `,`; `\t` for TSV). */
  delimiter?: string;
  /** Stop after this many records. */
  maxRows?: number;
}

export interface DelimitedText {
  rows: string[][];
  /** More records followed `maxRows`. */
  truncated: boolean;
  /** The text ended inside a quoted field (its last field holds the rest of the text). */
  unterminatedQuote: boolean;
}

export function parseDelimited(text: string, options: DelimitedOptions = {}): DelimitedText {
  const delimiter = options.delimiter ?? ',';
  const maxRows = options.maxRows ?? Infinity;
  const rows: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStart = true;
  const endRecord = (): void => {
    record.push(field);
    if (record.length > 1 || record[0] !== '') rows.push(record);
    record = [];
    field = '';
    fieldStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (ch === delimiter) {
      record.push(field);
      field = '';
      fieldStart = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      if (rows.length >= maxRows) return { rows, truncated: /[^\r\n]/.test(text.slice(i + 1)), unterminatedQuote: false };
    } else {
      field += ch;
      fieldStart = false;
    }
  }
  endRecord();
  return { rows: rows.slice(0, maxRows), truncated: rows.length > maxRows, unterminatedQuote: quoted };
}
