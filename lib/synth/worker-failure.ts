/**
 * An error as plain data, to cross threads: a worker posts it, the waiting thread throws it again.
 * No imports, so that a worker entry can use it before (and when) loading its own code fails.
 */
export interface WorkerFailure {
  readonly kind: 'failure';
  readonly message: string;
  readonly stack?: string;
}

export function failureOf(e: unknown): WorkerFailure {
  const error = e instanceof Error ? e : new Error(String(e));
  return { kind: 'failure', message: error.message, stack: error.stack };
}

/** The error again, message and stack as the worker saw them. */
export function errorOf(failure: WorkerFailure): Error {
  const error = new Error(failure.message);
  if (failure.stack) error.stack = failure.stack;
  return error;
}
