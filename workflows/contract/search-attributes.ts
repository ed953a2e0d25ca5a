// The custom search attributes ops filter on in the Web UI (never names or emails: IDs, stage,
// counts). npm start, the tests, the stack and docker-compose register SEARCH_ATTRIBUTE_REGISTRATIONS,
// which is built from the keys so the two cannot drift.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const searchAttributes = {
  stage: defineSearchAttributeKey('OffboardingStage', SearchAttributeType.KEYWORD),
  batchId: defineSearchAttributeKey('OffboardingBatchId', SearchAttributeType.KEYWORD),
  userId: defineSearchAttributeKey('OffboardingUserId', SearchAttributeType.INT),
  openItems: defineSearchAttributeKey('OffboardingOpenItems', SearchAttributeType.INT),
  waitingSince: defineSearchAttributeKey('OffboardingWaitingSince', SearchAttributeType.DATETIME),
};

/** The Temporal CLI's name of each type the keys use. */
const CLI_TYPE = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DATETIME]: 'Datetime',
} as const;
type RegisteredType = keyof typeof CLI_TYPE;

/** Name and Temporal CLI type of every custom search attribute — the one list everything registers. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: readonly { name: string; type: (typeof CLI_TYPE)[RegisteredType] }[] = Object.values(
  searchAttributes,
).map((key) => ({ name: key.name, type: CLI_TYPE[key.type] }));
