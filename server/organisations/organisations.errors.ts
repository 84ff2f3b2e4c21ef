import { AppError } from '../http/app-error.js';

export const organisationsErrors = {
  slugTaken: (slug: string) =>
    new AppError('organisations.slug_taken', 409, `The short name "${slug}" is already used by another organisation.`, { fields: { slug: 'is already used' } }),
  tierUnknown: () => new AppError('organisations.tier_unknown', 400, 'Choose one of the listed tiers.', { fields: { tierId: 'is not a known tier' } }),
  tierKeyTaken: (key: string) => new AppError('organisations.tier_key_taken', 409, `A tier with the key "${key}" already exists.`, { fields: { key: 'is already used' } }),
  tierInUse: (count: number) =>
    new AppError('organisations.tier_in_use', 409, `This tier is used by ${count} organisation(s); move them to another tier first.`, { count }),
};
