/** What every conformance suite shares: a fresh store per case, unique case names, skips with reasons, helpers. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RunlogError, type ErrorCode, type Page } from '@runlog/core';

export interface CaseHarness<S> {
  /** The current case's fresh store. */
  readonly store: S;
  /** Registers a case under a suite-unique name (the key `skip` uses). */
  test(name: string, body: () => Promise<void>): void;
}

export function caseHarness<S>(
  create: () => Promise<{ store: S; cleanup: () => Promise<void> }>,
  names: Set<string>,
  skip: Readonly<Record<string, string>> = {},
): CaseHarness<S> {
  let current: { store: S; cleanup: () => Promise<void> } | undefined;
  beforeEach(async () => {
    current = await create();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    if (done) await done.cleanup();
  });
  return {
    get store(): S {
      if (!current) throw new Error('the store exists only while a case runs');
      return current.store;
    },
    test(name, body) {
      if (names.has(name)) throw new Error(`duplicate conformance case name '${name}'`);
      names.add(name);
      const reason = skip[name];
      if (reason === undefined) it(name, body);
      else it.skip(`${name} [skipped: ${reason}]`, body);
    },
  };
}

/** Fails unless `action` rejects with a RunlogError of `code`. */
export async function expectCode(action: () => Promise<unknown>, code: ErrorCode): Promise<void> {
  let outcome: unknown;
  let threw = false;
  try {
    await action();
  } catch (error) {
    outcome = error;
    threw = true;
  }
  if (!threw) throw new Error(`expected RunlogError ${code}, but the call succeeded`);
  if (!(outcome instanceof RunlogError)) throw new Error(`expected RunlogError ${code}, got ${String(outcome)}`);
  expect(outcome.errorCode, outcome.message).toBe(code);
}

/** Follows next_page_token to the end; fails rather than loop forever. */
export async function allPages<T>(fetch: (token: string | undefined) => Promise<Page<T>>): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    pages.push(page);
    token = page.next_page_token;
    if (pages.length > 1000) throw new Error('paging does not terminate');
  } while (token);
  return pages;
}
