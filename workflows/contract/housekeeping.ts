// The web housekeeping: a Temporal Schedule the worker creates runs the webHousekeeping workflow
// every hour, which purges the web app's dead rows (sessions, sign-in tokens, rate-limit windows,
// action-link counts, form nonces) and the webhook log past its retention (WEBHOOK_RETENTION_DAYS).

export const WEB_HOUSEKEEPING_SCHEDULE_ID = 'web-housekeeping';
export const WEB_HOUSEKEEPING_EVERY = '1 hour';

/** How many rows of each kind one run deleted (the webhook counts are absent from runs before they were purged). */
export type WebHousekeepingResult = {
  sessions: number;
  signInTokens: number;
  rateLimits: number;
  actionLinkUses: number;
  formUses: number;
  webhookEvents?: number;
  webhookDeliveries?: number;
  webhookAttempts?: number;
};
