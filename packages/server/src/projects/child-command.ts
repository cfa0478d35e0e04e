/**
 * Runs an entry point's command as `bash -c <command>` in its own process group, output streamed to ours. A
 * SIGINT or SIGTERM to `runlog run` is passed to the whole group (so `bash -c 'a; b'` and what it started stop
 * too); a second one kills the group. stdin is closed: a child in a background process group that read the
 * terminal would be stopped.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

export interface ChildOutcome {
  /** The exit code, or undefined when the child died of a signal. */
  readonly code: number | undefined;
  /** The signal `runlog run` received and passed on, if any. */
  readonly interruptedBy: NodeJS.Signals | undefined;
}

export interface ChildCommand {
  /** Resolves when the child has exited. */
  readonly done: Promise<ChildOutcome>;
}

export interface Interruption {
  /** The first signal received so far, if any. */
  readonly signal: NodeJS.Signals | undefined;
  /** Called with each signal received while a child runs. */
  onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  /** Stops listening (signals regain their default effect). */
  dispose(): void;
}

/**
 * Listens for SIGINT/SIGTERM from now on, so a signal that arrives while the run is being created is not lost
 * (the run is then marked KILLED without starting the child); a second one before the child starts exits at once.
 */
export function listenForInterruption(): Interruption {
  const state: { signal: NodeJS.Signals | undefined; onSignal: ((signal: NodeJS.Signals) => void) | undefined } = {
    signal: undefined,
    onSignal: undefined,
  };
  let received = 0;
  const handler = (signal: NodeJS.Signals): void => {
    received++;
    state.signal ??= signal;
    if (state.onSignal !== undefined) state.onSignal(signal);
    // No child yet (the run is being created): a second signal should not have to wait for the server.
    else if (received > 1) process.exit(128 + (os.constants.signals[signal] ?? 15));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get signal() {
      return state.signal;
    },
    get onSignal() {
      return state.onSignal;
    },
    set onSignal(fn) {
      state.onSignal = fn;
    },
    dispose() {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** `argv` is run as given (the docker case); otherwise `bash -c command`. */
export function startChild(
  command: { argv: readonly string[] } | { shell: string },
  options: { cwd: string; env: NodeJS.ProcessEnv; interruption: Interruption },
): ChildCommand {
  const [file, ...args] = 'argv' in command ? command.argv : ['bash', '-c', command.shell];
  const child = spawn(file ?? 'bash', args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const interruption = options.interruption;
  let signalsSeen = 0;
  interruption.onSignal = (signal) => {
    if (child.pid === undefined) return;
    signalsSeen++;
    killGroup(child.pid, signalsSeen > 1 ? 'SIGKILL' : signal);
  };
  // A signal that came while the child was being started.
  if (interruption.signal !== undefined && child.pid !== undefined) killGroup(child.pid, interruption.signal);
  const done = new Promise<ChildOutcome>((resolve, reject) => {
    child.once('error', (err) => {
      interruption.onSignal = undefined;
      reject(err);
    });
    child.once('exit', (code) => {
      interruption.onSignal = undefined;
      // Whatever the command left behind in its group goes with it when we were interrupted.
      if (interruption.signal !== undefined && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      resolve({ code: code ?? undefined, interruptedBy: interruption.signal });
    });
  });
  return { done };
}
