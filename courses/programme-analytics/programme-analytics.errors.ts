import { AppError } from '../../server/http/app-error.js';

/** Expected failures of the programme dashboards. */
export const programmeAnalyticsErrors = {
  organisationUnknown: () =>
    new AppError('programme_analytics.organisation_unknown', 400, 'Choose one of the listed partner organisations.', { fields: { organisationId: 'is not a known partner organisation' } }),
  noPartnerAdmins: (organisationName: string) =>
    new AppError('programme_analytics.no_partner_admins', 409, `${organisationName} has no active partner admin to nudge. Invite one from the organisation's page first.`),
};
