// Composition root of the activities: dependencies come in (tests hand in real ones), activity
// functions come out. Workflows import only the type (`import type`), so nothing here is bundled.
import type { Database } from '../db/client';
import type { ActionLinkSigner } from '../domain/action-links';
import { createDigestActivities } from './digests';
import { createDomainActivities } from './domain';
import { createHousekeepingActivities } from './housekeeping';
import { createIntakeActivities } from './identity-intake';
import type { Mailer } from '../domain/notifications/mail';
import { createNotificationActivities } from './notifications';
import { createWebhookActivities, type WebhookActivitySettings } from './webhooks';

export type ActivityDeps = {
  db: Database;
  mailer: Mailer;
  clock: () => Date;
  /** WEB_PUBLIC_URL + WEB_LINK_SECRET: personal links to the web app in the emails that ask to act. */
  links?: ActionLinkSigner;
  /** Webhooks out: private targets allowed?, one POST's timeout; absent = refused, 10 s. */
  webhooks?: WebhookActivitySettings;
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDomainActivities(deps),
    ...createNotificationActivities(deps),
    ...createDigestActivities(deps),
    ...createHousekeepingActivities(deps),
    ...createIntakeActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type OffboardingActivities = ReturnType<typeof createActivities>;
