import { expect } from 'vitest';
import { RunlogError } from '@runlog/core';

/** The RunlogError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<RunlogError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RunlogError);
  return err as RunlogError;
}
