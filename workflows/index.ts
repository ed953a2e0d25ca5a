// The workflow bundle's entry: only deterministic workflow code is reachable from here.
export { identityIntake } from './identity-intake';
export { offboardingBatch } from './offboarding-batch';
export { userOffboarding } from './user-offboarding';
export { userReactivation } from './user-reactivation';
export { webHousekeeping } from './web-housekeeping';
export { webhookDelivery } from './webhook-delivery';
