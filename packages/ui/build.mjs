// Builds the React app into dist/ (vite), then writes a .gz next to every JS/CSS asset so the server can send
// precompressed files, and prints the gzipped JavaScript the first page loads (the entry and its static imports).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'vite';

const root = path.dirname(new URL(import.meta.url).pathname);
await build({ root, logLevel: process.env.RUNLOG_UI_BUILD_VERBOSE ? 'info' : 'warn', configFile: path.join(root, 'vite.config.ts') });

const dist = path.join(root, 'dist');
const assets = path.join(dist, 'assets');
const gz = {};
for (const name of fs.readdirSync(assets)) {
  if (!/\.(js|css|svg)$/.test(name)) continue;
  const data = fs.readFileSync(path.join(assets, name));
  const z = zlib.gzipSync(data, { level: 9 });
  fs.writeFileSync(path.join(assets, `${name}.gz`), z);
  gz[name] = z.length;
}
// First page = the entry script plus every modulepreload in index.html.
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const first = [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
const firstBytes = first.reduce((n, f) => n + (gz[f] ?? 0), 0);
const total = Object.entries(gz).filter(([f]) => f.endsWith('.js')).reduce((n, [, b]) => n + b, 0);
const report = { firstPageJsGzipBytes: firstBytes, firstPageFiles: first, allJsGzipBytes: total, files: gz };
fs.writeFileSync(path.join(dist, 'bundle-report.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`ui: first page ${(firstBytes / 1024).toFixed(1)} KB gzipped JS (${first.length} files); all JS ${(total / 1024).toFixed(1)} KB gzipped`);
