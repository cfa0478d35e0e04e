// Placeholder build: the React app replaces this. Copies the static page into dist/ for the server to serve.
import fs from 'node:fs';
fs.mkdirSync(new URL('./dist/', import.meta.url), { recursive: true });
fs.copyFileSync(new URL('./index.html', import.meta.url), new URL('./dist/index.html', import.meta.url));
