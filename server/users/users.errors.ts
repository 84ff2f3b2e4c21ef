import { AppError } from '../http/app-error.js';

export const usersErrors = {
  roleNotAssignable: (role: string) =>
    new AppError('users.role_not_assignable', 400, `You cannot give the role "${role}" to a user of this organisation.`, { fields: { role: 'is not allowed here' } }),
  cannotChangeSelf: () =>
    new AppError('users.cannot_change_self', 400, 'You cannot change your own role or disable yourself. Ask another administrator.'),
  alreadyMember: (email: string) =>
    new AppError('users.already_member', 409, `${email} already has a Partner Academy account.`, { fields: { email: 'already has an account' } }),
  invitationNotOpen: () => new AppError('users.invitation_not_open', 409, 'This invitation was already accepted or revoked.'),
};
