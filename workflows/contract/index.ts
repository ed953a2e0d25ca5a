// The contract shared by workflows/, activities/, domain/ and client/: the item model, policy and
// limits, stages and search attributes, IDs, every message, the workflows' and activities' inputs and
// results, notifications, refusal codes and text rules. Nothing here has side effects, so it is safe
// in the workflow bundle.
export * from './activities';
export * from './batch';
export * from './digests';
export * from './hand-over';
export * from './housekeeping';
export * from './ids';
export * from './intake';
export * from './items';
export * from './messages';
export * from './notifications';
export * from './policy';
export * from './reactivation';
export * from './refusals';
export * from './search-attributes';
export * from './stages';
export * from './text';
export * from './user-offboarding';
export * from './webhooks';
