// tsc writes the CLI without the execute bit, and npm can only set it when the file exists at install time (a
// fresh clone builds after `npm ci`): without it, `npx runlog` fails with "Permission denied".
import fs from 'node:fs';

const cli = new URL('../packages/server/dist/cli/main.js', import.meta.url);
fs.chmodSync(cli, fs.statSync(cli).mode | 0o111);
