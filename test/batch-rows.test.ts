// The batch's rows keep the figures its details show (issue 25): the details are rendered after every
// activation of the parent, so none of them may scan the rows each time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchUserRow } from '../workflows/contract';
import { BatchRows } from '../workflows/offboarding-batch/rows';

const row = (userId: number, extra: Partial<BatchUserRow> = {}): BatchUserRow => ({
  userId,
  stage: 'queued',
  openItems: 0,
  waitingSince: null,
  remindersSent: 0,
  result: null,
  ...extra,
});
const waiting = (userId: number, since: string): BatchUserRow => row(userId, { stage: 'awaiting-reassignment', openItems: 1, waitingSince: since });

function rowsOf(count: number): BatchRows {
  const rows = new BatchRows([], () => undefined);
  for (let id = 1; id <= count; id++) rows.set(id, row(id));
  return rows;
}

afterEach(() => vi.restoreAllMocks());

describe('the oldest wait', () => {
  it('is looked up once while nobody waits, not on every read', () => {
    const rows = rowsOf(10_000);
    const scans = vi.spyOn(Map.prototype, 'values');
    for (let i = 0; i < 100; i++) expect(rows.oldest()).toBeNull();
    // Others finishing do not make it look again.
    for (let id = 1; id <= 100; id++) rows.setStage(id, 'inactivated', 'inactivated');
    expect(rows.oldest()).toBeNull();
    expect(scans.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('follows who starts and stops waiting, the earlier wait first and the lower ID on a tie', () => {
    const rows = rowsOf(5);
    expect(rows.oldest()).toBeNull();
    rows.set(3, waiting(3, '2026-12-07T10:00:00.000Z'));
    expect(rows.oldest()).toEqual({ userId: 3, since: '2026-12-07T10:00:00.000Z' });
    rows.set(4, waiting(4, '2026-12-07T09:00:00.000Z'));
    expect(rows.oldest()).toEqual({ userId: 4, since: '2026-12-07T09:00:00.000Z' });
    rows.set(2, waiting(2, '2026-12-07T09:00:00.000Z'));
    expect(rows.oldest()?.userId).toBe(2);
    // The oldest stops waiting: the next is looked up.
    rows.setStage(2, 'inactivated', 'inactivated');
    expect(rows.oldest()?.userId).toBe(4);
    rows.setStage(4, 'inactivated', 'inactivated');
    rows.setStage(3, 'removed');
    expect(rows.oldest()).toBeNull();
  });
});
