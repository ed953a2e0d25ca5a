// The operations people perform, once, for every way in: the CLI (operators, `--by` as given) and the
// web app (HR and managers, the actor from their session). Each takes the acting user as an argument;
// every change goes through a workflow, whose validators and activities check the actor again.
// Reads (the directory, the Assignment Report) go to domain/ directly.
export * from './batches';
export * from './context';
export * from './identity-lifecycle';
export * from './offboardings';
export * from './reactivation';
export * from './user-offboarding';
export { isNotFound, statusOf } from './workflow-calls';
export * from './work-import';
