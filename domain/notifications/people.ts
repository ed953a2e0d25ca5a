// The people a notification is about and goes to, as the renderer sees them: names, who stands in
// when the natural recipient cannot be reached, and how each message greets its reader.
import type { NotificationPeople, Person } from './render';

export function nameOf(people: NotificationPeople, id: number | null | undefined): string {
  if (id === null || id === undefined) return 'nobody';
  if (people.user?.id === id) return people.user.name;
  if (people.manager?.id === id) return people.manager.name;
  if (people.requester?.id === id) return people.requester.name;
  if (people.actor?.id === id) return people.actor.name;
  return people.names[id] ?? `user #${id}`;
}

/** `Ana Ortiz (user 12)`, or `user 12` when the ID is unknown to the directory. */
export function userLabel(people: NotificationPeople, id: number): string {
  const name = nameOf(people, id);
  return name === `user #${id}` ? `user ${id}` : `${name} (user ${id})`;
}

export function greeting(people: NotificationPeople, natural: Person | null): string {
  if (people.fallback?.to === 'admins') return 'Hello,';
  if (people.fallback?.to === 'requester') return `Hello ${people.requester?.name ?? ''},`.replace(' ,', ',');
  return natural ? `Hello ${natural.name},` : 'Hello,';
}
