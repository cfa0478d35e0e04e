import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'able', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'fast', 'gentle', 'glad',
  'grand', 'honest', 'keen', 'kind', 'lively', 'loud', 'lucky', 'merry', 'neat', 'nimble', 'proud', 'quick',
  'quiet', 'rare', 'sharp', 'shy', 'silent', 'sleek', 'smart', 'steady', 'sunny', 'swift', 'tidy', 'vast',
  'warm', 'wise', 'young', 'zesty',
];
const ANIMALS = [
  'ant', 'bat', 'bear', 'bee', 'cat', 'colt', 'crab', 'crane', 'deer', 'dove', 'duck', 'eel', 'elk', 'finch',
  'fox', 'frog', 'goat', 'gull', 'hare', 'hawk', 'ibis', 'jay', 'koi', 'lark', 'lynx', 'mole', 'moth', 'newt',
  'owl', 'ox', 'panda', 'seal', 'shrew', 'slug', 'snail', 'swan', 'toad', 'trout', 'wasp', 'wolf', 'yak',
];

/** A random `adjective-animal-NNN` name, as MLflow gives runs created without one. */
export function generateRunName(): string {
  const a = ADJECTIVES[randomInt(ADJECTIVES.length)] ?? 'quick';
  const b = ANIMALS[randomInt(ANIMALS.length)] ?? 'fox';
  return `${a}-${b}-${randomInt(1000)}`;
}
