/** Debian Chromium through playwright-core (never a downloaded browser), as dependencies.md prescribes. */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.RUNLOG_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether Chromium is installed; under CI=true a missing browser is an error, elsewhere the caller skips. */
export function chromiumAvailable(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  const reason = `${CHROMIUM} is missing (bash scripts/ensure-chromium.sh installs it with apt)`;
  if (process.env.CI === 'true') throw new Error(`Chromium is required under CI=true: ${reason}`);
  process.stdout.write(`Skipping the UI journeys: ${reason}\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
