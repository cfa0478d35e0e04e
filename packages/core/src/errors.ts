/**
 * MLflow's error codes and the HTTP status each maps to. One table, one error class: the server renders
 * it as `{error_code, message}`, the REST client turns such bodies back into it.
 */
export const ERROR_CODE_HTTP_STATUS = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  IO_ERROR: 500,
  BAD_REQUEST: 400,
  CANCELLED: 499,
  DEADLINE_EXCEEDED: 504,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  RESOURCE_EXHAUSTED: 429,
  INVALID_PARAMETER_VALUE: 400,
  ENDPOINT_NOT_FOUND: 404,
  MALFORMED_REQUEST: 400,
  INVALID_STATE: 500,
  PERMISSION_DENIED: 403,
  FEATURE_DISABLED: 501,
  CUSTOMER_UNAUTHORIZED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_CONFLICT: 409,
  NOT_IMPLEMENTED: 501,
  DATA_LOSS: 500,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODE_HTTP_STATUS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODE_HTTP_STATUS, value);
}

/** The one error type of Runlog. `errorCode` is MLflow's name; the HTTP status derives from it. */
export class RunlogError extends Error {
  readonly errorCode: ErrorCode;

  constructor(errorCode: ErrorCode, message: string) {
    super(message);
    this.name = 'RunlogError';
    this.errorCode = errorCode;
  }

  get httpStatus(): number {
    return ERROR_CODE_HTTP_STATUS[this.errorCode];
  }

  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }

  static invalidParameter(message: string): RunlogError {
    return new RunlogError('INVALID_PARAMETER_VALUE', message);
  }

  static notFound(message: string): RunlogError {
    return new RunlogError('RESOURCE_DOES_NOT_EXIST', message);
  }

  static alreadyExists(message: string): RunlogError {
    return new RunlogError('RESOURCE_ALREADY_EXISTS', message);
  }
}
