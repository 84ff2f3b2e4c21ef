import { AppError } from '../http/app-error.js';

export const storageErrors = {
  invalidKey: (key: string, why: string) => new AppError('storage.invalid_key', 400, `Storage key "${key}" is not allowed: ${why}`),
  rangeNotSatisfiable: (size: number) => new AppError('storage.range_not_satisfiable', 416, `The requested byte range is outside the object (size ${size} bytes)`, { size }),
  prefixNotEmpty: (prefix: string) => new AppError('storage.prefix_not_empty', 409, `Storage prefix "${prefix}" already holds objects; a batch writes only under an empty prefix`, { prefix }),
  unavailable: (why: string) => new AppError('storage.unavailable', 503, `File storage is not reachable: ${why}`),
};
