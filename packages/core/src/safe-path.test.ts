import { describe, expect, it } from 'vitest';
import { RunlogError } from './errors.js';
import { artifactBasename, joinArtifactPath, safeArtifactPath, validateArtifactLocationUri } from './safe-path.js';

function refusal(fn: () => unknown): { error_code: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(RunlogError);
    return (err as RunlogError).toJSON();
  }
}

/** Every path shape of the known-problems reference §3.5 "Paths" (and a few of our own), raw as received. */
const ATTACKS: readonly [string, string][] = [
  ['../x', 'parent segment'],
  ['..', 'bare parent'],
  ['a/../../x', 'parent segment in the middle'],
  ['a/..', 'trailing parent segment'],
  ['..\\x', 'backslash parent'],
  ['a\\b', 'backslash separator'],
  ['..%2fx', 'encoded slash'],
  ['..%2Fx', 'encoded slash, upper case'],
  ['%2e%2e%2fx', 'encoded dots and slash'],
  ['%2E%2E/x', 'encoded dots, upper case'],
  ['%2e%2e', 'encoded bare parent'],
  ['%252e%252e%252fx', 'double-encoded'],
  ['%25252e%25252e%25252fx', 'triple-encoded'],
  ['%2E%2E%5Cx', 'encoded backslash'],
  ['/etc/passwd', 'absolute POSIX path'],
  ['%2fetc%2fpasswd', 'encoded absolute path'],
  ['C:', 'drive letter'],
  ['C:/', 'drive root'],
  ['C:\\', 'drive root with backslash'],
  ['c:/windows/win.ini', 'drive path'],
  ['C%3A%2F', 'encoded drive root'],
  ['x:y', 'drive-relative path'],
  ['\\\\host\\share', 'UNC path'],
  ['//host/share', 'UNC path with slashes'],
  ['//proc/self/root', 'double-slash absolute path'],
  ['a?/a', 'query delimiter (CVE-2024-3848)'],
  ['a%3f/a', 'encoded query delimiter'],
  ['a#/a', 'fragment'],
  ['a%23/a', 'encoded fragment'],
  ['a;/a', 'path-parameter delimiter'],
  ['a%3b/a', 'encoded path-parameter delimiter'],
  ['...', 'three dots (Windows strips to nothing)'],
  ['.../x', 'three dots as a folder'],
  ['a/.. ', 'parent with a trailing space'],
  ['.. /x', 'parent with a trailing space as a folder'],
  ['a/. .', 'dots and spaces'],
  ['a/ ', 'a segment of spaces'],
  ['..\u3000/x'.replace('\u3000', ' '), 'parent with a trailing space (again)'],
  ['\u2024\u2024/x', 'U+2024 ONE DOT LEADER twice'],
  ['\u2025/x', 'U+2025 TWO DOT LEADER'],
  ['\uff0e\uff0e/x', 'U+FF0E FULLWIDTH FULL STOP twice'],
  ['%EF%BC%8E%EF%BC%8E%2Fx', 'encoded fullwidth dots'],
  ['a\uff0f..\uff0fb', 'fullwidth solidus around a parent'],
  ['..\uff3cx', 'fullwidth reverse solidus'],
  ['C\uff1a/x', 'fullwidth colon drive'],
  ['\ufe52\ufe52/x', 'U+FE52 SMALL FULL STOP twice'],
  ['a\u0000b', 'NUL'],
  ['a%00b', 'encoded NUL'],
  ['a%2500b', 'double-encoded NUL'],
  ['a\nb', 'line feed'],
  ['a%0d%0aSet-Cookie:x', 'CRLF'],
  ['a\u007fb', 'DEL'],
  ['%zz', 'malformed escape'],
  ['100%', 'lone percent'],
  ['%E0%A4%A', 'truncated UTF-8 escape'],
  ['%ed%a0%80', 'encoded lone surrogate'],
  [`${'%25'.repeat(9)}2e`, 'nine layers of encoding'],
];

describe('safeArtifactPath refuses every attack shape with 400 INVALID_PARAMETER_VALUE "Invalid path"', () => {
  for (const [raw, label] of ATTACKS) {
    it(`${label}: ${JSON.stringify(raw)}`, () => {
      expect(refusal(() => safeArtifactPath(raw))).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    });
  }
});

describe('safeArtifactPath normalises safe paths', () => {
  const cases: readonly [string, string][] = [
    ['', ''],
    ['.', ''],
    ['./', ''],
    ['a', 'a'],
    ['a/b/c.txt', 'a/b/c.txt'],
    ['a//b', 'a/b'],
    ['a///b//', 'a/b'],
    ['./a', 'a'],
    ['a/./b/.', 'a/b'],
    ['a/', 'a'],
    ['1/abc/artifacts/model/MLmodel', '1/abc/artifacts/model/MLmodel'],
    ['a%2Fb', 'a/b'],
    ['hello%20world.txt', 'hello world.txt'],
    ['a%2520b', 'a b'],
    ['caf%C3%A9.txt', 'café.txt'],
    ['日本語/ファイル.txt', '日本語/ファイル.txt'],
    ['with space/and-dash_underscore.tar.gz', 'with space/and-dash_underscore.tar.gz'],
    ['.hidden', '.hidden'],
    ['..hidden', '..hidden'],
    ['a..b', 'a..b'],
    ['v1.', 'v1.'],
    ['ckpt-10:00.pt', 'ckpt-10:00.pt'],
    ['ab:/c', 'ab:/c'],
    ['\uff21', '\uff21'],
    ['emoji-😀.png', 'emoji-😀.png'],
  ];
  for (const [raw, clean] of cases) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(clean)}`, () => {
      expect(safeArtifactPath(raw)).toBe(clean);
    });
  }

  it('is idempotent on its output', () => {
    for (const [raw] of cases) {
      const once = safeArtifactPath(raw);
      expect(safeArtifactPath(once)).toBe(once);
    }
  });
});

describe('joinArtifactPath', () => {
  it('joins and normalises decoded parts, skipping empty ones', () => {
    expect(joinArtifactPath('1/abc/artifacts', 'model', 'MLmodel')).toBe('1/abc/artifacts/model/MLmodel');
    expect(joinArtifactPath('', 'a')).toBe('a');
    expect(joinArtifactPath('a/', './', 'b//')).toBe('a/b');
    expect(joinArtifactPath()).toBe('');
    expect(joinArtifactPath('', '')).toBe('');
  });

  it('does not decode: a % is a literal character', () => {
    expect(joinArtifactPath('a', '%2e%2e')).toBe('a/%2e%2e');
  });

  for (const bad of ['..', '../x', 'a\\b', 'a?b', 'a#b', 'a;b', 'a\u0000b', '\u2025', 'C:']) {
    it(`refuses the part ${JSON.stringify(bad)}`, () => {
      expect(refusal(() => joinArtifactPath('root', bad))?.message).toBe('Invalid path');
    });
  }

  it('refuses an absolute part wherever it is', () => {
    expect(refusal(() => joinArtifactPath('/etc', 'x'))?.message).toBe('Invalid path');
    expect(refusal(() => joinArtifactPath('a', '/b'))?.message).toBe('Invalid path');
  });
});

describe('artifactBasename', () => {
  it('returns the last segment', () => {
    expect(artifactBasename('a/b/c.txt')).toBe('c.txt');
    expect(artifactBasename('c.txt')).toBe('c.txt');
    expect(artifactBasename('a/b/')).toBe('b');
    expect(artifactBasename('')).toBe('');
  });
});

describe('validateArtifactLocationUri', () => {
  const policy = { localRoots: ['/srv/runlog/artifacts', '/data/mlruns/'] };

  const refused: readonly [string, string][] = [
    ['file:///etc/', 'inside the server'],
    ['file:///etc/passwd', 'inside the server'],
    ['file://./etc', 'may not name a host'],
    ['file://host/../../', '..'],
    ['file://evil-host/srv/runlog/artifacts', 'may not name a host'],
    ['../../etc', '..'],
    ['relative/dir', 'absolute path'],
    ['/etc', 'inside the server'],
    ['/srv/runlog/artifacts-other', 'inside the server'],
    ['/srv/runlog/artifacts/../../../etc', '..'],
    ['/srv/runlog/artifacts/%2e%2e/x', '..'],
    ['http:///?/../../../../../../../../etc/', 'query'],
    ['http:///#/../../../../etc/', 'fragment'],
    ['http://host#/../../../../etc/', 'fragment'],
    ['http:\\/\\/\\/#\\/..\\/..\\/etc\\/', 'fragment'],
    ['http:///etc/', 'needs a host'],
    ['https://', 'needs a host'],
    ['dbfs:/runs/abc/artifacts/a%3f/../../../../../../', 'query'],
    ['dbfs:/a/../../', '..'],
    ['s3://bucket/path#frag', 'fragment'],
    ['s3://bucket/path?a=../..', 'query'],
    ['s3://bucket/a;/../../x', "';'"],
    ['s3://bucket/%252e%252e/x', '..'],
    ['s3://bucket/\u2025/x', '..'],
    ['runs:/abc/artifacts', 'runs:/'],
    ['RUNS:/abc', 'runs:/'],
    ['models:/m/1', 'models:/'],
    ['mlflow-artifacts:/../..', '..'],
    ['mlflow-artifacts:/a/../../b', '..'],
    ['mlflow-artifacts://host:5000/../x', '..'],
    ['C:/Windows', 'drive'],
    ['C:\\Windows', 'backslash'],
    ['\\\\host\\share', 'backslash'],
    ['s3://bucket/a%00b', 'control'],
    ['s3://bucket/%zz', 'malformed'],
    ['x'.repeat(2049), 'exceeded length limit'],
  ];
  for (const [location, why] of refused) {
    it(`refuses ${JSON.stringify(location.slice(0, 60))}`, () => {
      const error = refusal(() => validateArtifactLocationUri(location, policy));
      expect(error?.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(error?.message).toContain(why);
    });
  }

  const accepted = [
    's3://bucket/some/path',
    's3://bucket/root/',
    'gs://bucket/x',
    'wasbs://container@account.blob.core.windows.net/path',
    'hdfs://namenode:8020/mlflow',
    'dbfs:/databricks/mlflow-tracking/1',
    'mlflow-artifacts:/',
    'mlflow-artifacts:/7',
    'mlflow-artifacts://host:5000/7',
    'http://tracking.example.com/api/2.0/mlflow-artifacts/artifacts/7',
    'https://tracking.example.com/api/2.0/mlflow-artifacts/artifacts/7',
    '/srv/runlog/artifacts',
    '/srv/runlog/artifacts/7',
    '/srv/runlog/artifacts//7/',
    'file:///srv/runlog/artifacts/7',
    'file://localhost/data/mlruns/7',
    'file:/data/mlruns/7',
  ];
  for (const location of accepted) {
    it(`accepts ${location}`, () => {
      expect(() => validateArtifactLocationUri(location, policy)).not.toThrow();
    });
  }

  it('resolves a relative location against the base MLflow uses (the working directory), never above it', () => {
    const withBase = { ...policy, relativeBase: '/srv/work/' };
    expect(validateArtifactLocationUri('my_location', withBase)).toBe('/srv/work/my_location');
    expect(validateArtifactLocationUri('./a//b/', withBase)).toBe('/srv/work/a/b');
    expect(refusal(() => validateArtifactLocationUri('../etc', withBase))?.message).toContain('..');
    expect(refusal(() => validateArtifactLocationUri('a/%2e%2e/%2e%2e/etc', withBase))?.message).toContain('..');
    expect(refusal(() => validateArtifactLocationUri('file:relative', withBase))?.message).toContain('absolute path');
    expect(validateArtifactLocationUri('s3://bucket/x', withBase)).toBe('s3://bucket/x');
  });

  it('refuses every local location when the server keeps no local root', () => {
    expect(refusal(() => validateArtifactLocationUri('/srv/runlog/artifacts/7', { localRoots: [] }))?.message).toContain(
      'inside the server',
    );
  });
});
