// The hand-over rule (workflows/contract/hand-over.ts) is one pure function that the reassignment
// activity, the web page, the CLI's operations, the workflow's hand-over and the emails all ask: what
// it answers here is what each of them does.
import { describe, expect, it } from 'vitest';
import {
  handOverRefusal,
  type HandOverCandidate,
  mayBeHandedOver,
  mayTake,
  takersOf,
  whyIneligible,
  whyPersonIneligible,
} from '../workflows/contract';

const leaver = 5;
const ok: HandOverCandidate = { userId: 7, status: 'active', email: 'grace@example.com', isMember: true, offboardingWorkflowId: null };
const defect = { tool: 'defect', projectId: 1 } as const;
const timecard = { tool: 'timecard', projectId: 1 } as const;

describe('the hand-over rule', () => {
  it('never hands a timecard over, whoever would take it', () => {
    expect(mayBeHandedOver(timecard)).toBe(false);
    expect(mayBeHandedOver(defect)).toBe(true);
    expect(handOverRefusal(timecard, ok, leaver)).toBe('INVALID_INPUT');
    expect(handOverRefusal(timecard, undefined, leaver)).toBe('INVALID_INPUT');
  });

  it('lets an item go only to an active project member who is staying and can be told', () => {
    const cases: [string, HandOverCandidate | undefined, string | null][] = [
      ['may', ok, null],
      ['unknown', undefined, 'TARGET_NOT_FOUND'],
      ['the leaver', { ...ok, userId: leaver }, 'TARGET_SAME_USER'],
      ['inactive', { ...ok, status: 'inactive' }, 'TARGET_INACTIVE'],
      ['not on the project', { ...ok, isMember: false }, 'TARGET_NOT_PROJECT_MEMBER'],
      ['leaving too', { ...ok, offboardingWorkflowId: 'offboarding-user-9' }, 'TARGET_BEING_OFFBOARDED'],
      ['no email', { ...ok, email: null }, 'TARGET_NO_EMAIL'],
      ['a blank email', { ...ok, email: '  ' }, 'TARGET_NO_EMAIL'],
    ];
    for (const [what, candidate, code] of cases) {
      expect(handOverRefusal(defect, candidate, leaver), what).toBe(code);
      expect(whyIneligible(candidate, leaver), what).toBe(code);
    }
    // The successor check asks only the part that holds whatever the item.
    const notOnTheProject: HandOverCandidate = { ...ok, isMember: false };
    expect(whyPersonIneligible(notOnTheProject)).toBeNull();
    expect(whyPersonIneligible({ ...ok, email: null })).toBe('TARGET_NO_EMAIL');
  });

  it('offers an item to the people who pass the rule on its project, and never a timecard', () => {
    const eligible = new Map([[1, [{ id: 7 }, { id: 8 }]], [2, [{ id: 8 }]]]);
    expect(takersOf(defect, eligible).map((p) => p.id)).toEqual([7, 8]);
    expect(takersOf({ tool: 'rfi', projectId: 2 }, eligible).map((p) => p.id)).toEqual([8]);
    expect(takersOf({ tool: 'rfi', projectId: 3 }, eligible)).toEqual([]);
    expect(takersOf({ tool: 'rfi', projectId: null }, eligible)).toEqual([]);
    expect(takersOf(timecard, eligible)).toEqual([]);
    expect(mayTake(defect, 7, eligible)).toBe(true);
    expect(mayTake({ tool: 'rfi', projectId: 2 }, 7, eligible)).toBe(false);
    expect(mayTake(timecard, 7, eligible)).toBe(false);
  });
});
