import { describe, expect, it } from '@jest/globals';
import { readinessReasons } from '../../../courses/programme-analytics/programme-analytics.service.js';

const ready = {
  organisationId: '00000000-0000-4000-8000-000000000001',
  name: 'Acme Systems',
  tierName: 'Gold',
  certifiedNeeded: [{ certificationName: 'Platform Certified', role: null, required: 2, certified: 2, met: true }],
  activeUsers: 4,
  inactiveUsers: 2,
  expiring: 0,
  downloads: 3,
  weakExams: [],
};

describe('readiness reasons', () => {
  it('gives none for an organisation meeting every rule (half inactive is not more than half)', () => {
    expect(readinessReasons(ready)).toEqual([]);
  });

  it('says in words what is wrong, one reason per finding', () => {
    expect(
      readinessReasons({
        ...ready,
        certifiedNeeded: [{ certificationName: 'Platform Certified', role: 'partner_rep', required: 3, certified: 1, met: false }],
        inactiveUsers: 3,
        expiring: 2,
        downloads: 0,
        weakExams: [{ title: 'Platform exam', averageScore: 64.6, passingScore: 70 }],
      }),
    ).toEqual([
      'Gold tier needs 3 certified partner reps in Platform Certified; 1 is certified.',
      '2 certifications expire within 90 days.',
      '3 of 4 people had no course or library activity in 60 days.',
      'Average exam score on Platform exam is 65%, below the 70% passing score.',
      'No library downloads in 90 days.',
    ]);
  });

  it('does not call an organisation without people inactive', () => {
    expect(readinessReasons({ ...ready, activeUsers: 0, inactiveUsers: 0 })).toEqual([]);
  });
});
