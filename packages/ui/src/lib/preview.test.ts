import { describe, expect, it } from 'vitest';
import { previewKind } from './preview';

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
});
