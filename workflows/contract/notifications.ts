// Notifications: workflows say what happened (IDs and items); the email activity looks up people and
// renders. `idempotencyKey` makes the send exactly-once.
import type { BatchSummary } from './batch';
import type { ItemResolution, OpenItem } from './items';
import type { RefusalCode } from './refusals';

// Notifications: workflows say what happened (IDs and items); the email activity looks up people
// and renders. `idempotencyKey` makes the send exactly-once.

/** An item a successor could not take over, and the refusal that said why. */
export type ItemNotTaken = { item: OpenItem; code: RefusalCode; message: string };

export type Notification =
  | {
      kind: 'items-assigned';
      userId: number;
      requestedBy: number;
      batchId: string | null;
      effectiveAt: string | null;
      items: OpenItem[];
      /** True when the items appeared after an earlier notice (re-scan found new ones). */
      newSinceLastNotice: boolean;
      /** The successor, and what they took and could not take (absent before successors were reported). */
      successor?: { userId: number; took: ItemResolution[]; notTaken: ItemNotTaken[] } | null;
    }
  /** To whoever was asked to act: the offboarding stopped, nothing more is needed. */
  | { kind: 'offboarding-stopped'; userId: number; requestedBy: number; batchId: string | null; outcome: 'removed' | 'cancelled'; by: number | null; itemsLeft: OpenItem[] }
  /** To someone who now owns items of the leaving user: what, from whom, handed over by whom. */
  | { kind: 'items-received'; userId: number; requestedBy: number; batchId: string | null; recipientId: number; received: ItemResolution[] }
  | { kind: 'reminder'; userId: number; requestedBy: number; batchId: string | null; items: OpenItem[]; waitingSince: string; reminderNumber: number }
  | { kind: 'escalation'; userId: number; requestedBy: number; batchId: string | null; items: OpenItem[]; waitingSince: string; reason: 'escalate-after' | 'deadline' }
  | { kind: 'inactivated'; userId: number; requestedBy: number; batchId: string | null; inactivatedAt: string; resolutions: ItemResolution[]; itemsLeftOpen: OpenItem[] }
  | { kind: 'batch-summary'; batchId: string; requestedBy: number; summary: BatchSummary }
  | { kind: 'reactivated'; userId: number; by: number; reason: string | null };

export type NotificationKind = Notification['kind'];

export type SendNotificationInput = { idempotencyKey: string; workflowId: string; notification: Notification };
/** Several emails in one activity, each with its own idempotency key. */
export type SendNotificationsInput = { notifications: SendNotificationInput[] };
export type SendNotificationResult = { status: 'sent' | 'already-sent' | 'written-to-outbox-dir' | 'no-recipients'; messageId: string | null; recipients: string[] };
