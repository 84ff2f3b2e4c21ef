import { AppError } from '../http/app-error.js';

export const storageErrors = {
  invalidKey: (key: string, why: string) => new AppError('storage.invalid_key', 400, `Storage key "${key}" is not allowed: ${why}`),
  rangeNotSatisfiable: (size: number) => new AppError('storage.range_not_satisfiable', 416, `The requested byte range is outside the object (size ${size} bytes)`, { size }),
  unavailable: (why: string) => new AppError('storage.unavailable', 503, `File storage is not reachable: ${why}`),
};
