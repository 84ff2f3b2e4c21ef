/**
 * Every expected failure is an AppError with a stable code ("auth.invalid_credentials").
 * Modules create them through factories in their *.errors.ts; the error handler renders them.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
