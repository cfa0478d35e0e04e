import { randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * A 32-hex-digit id in UUIDv7 layout: 48 bits of milliseconds, then randomness. It looks like the uuid4
 * hex MLflow hands out (clients only check `^[a-zA-Z0-9][\w-]*$`), but ids created together sort together,
 * so every index keyed by run id is appended to at its right edge instead of touched at random pages.
 */
export function newTimeOrderedId(now: number = Date.now()): string {
  if (now <= lastMs) {
    now = lastMs;
    sequence = (sequence + 1) & 0xfff;
  } else {
    lastMs = now;
    sequence = 0;
  }
  const rand = randomBytes(8).toString('hex').slice(0, 16);
  const seq = sequence.toString(16).padStart(3, '0');
  // time (12) | version 7 (1) | sequence (3) | variant 8-b + random (16)
  const variant = ((parseInt(rand.charAt(0), 16) & 0x3) | 0x8).toString(16);
  return `${now.toString(16).padStart(12, '0')}7${seq}${variant}${rand.slice(1)}`;
}
