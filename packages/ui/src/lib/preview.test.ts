import { describe, expect, it } from 'vitest';
import { parseDelimited, previewKind } from './preview';

describe('artifact previews', () => {
  it('picks a preview from the file name', () => {
    expect(previewKind('model/MLmodel')).toBe('mlmodel');
    expect(previewKind('a/plot.PNG')).toBe('image');
    expect(previewKind('fig.svg')).toBe('svg');
    expect(previewKind('report.html')).toBe('html');
    expect(previewKind('conda.yaml')).toBe('yaml');
    expect(previewKind('data.tsv')).toBe('tsv');
    expect(previewKind('weights.bin')).toBe('none');
  });

  it('parses CSV with quotes, doubled quotes, CRLF and a row cap', () => {
    expect(parseDelimited('a,b\r\n"x, y","say ""hi"""\n1,2', ',').rows).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', '2'],
    ]);
    const big = parseDelimited('h\n1\n2\n3\n4\n', ',', 3);
    expect(big.rows).toHaveLength(3);
    expect(big.truncated).toBe(true);
    expect(parseDelimited('a\tb\n', '\t').rows).toEqual([['a', 'b']]);
  });
});
