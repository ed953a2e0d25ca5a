// Whether a project someone typed exists, so an empty list is never read as "nobody works on it".
import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/transaction';
import { projects } from '../db/schema';
import { refuse } from './refusal';

/** How many projects a PROJECT_NOT_FOUND message names: enough for a small directory, short for a big one. */
const PROJECTS_NAMED = 10;

export async function projectExists(db: DbOrTx, id: number): Promise<boolean> {
  const [found] = await db.select({ id: projects.id }).from(projects).where(eq(projects.id, id));
  return found !== undefined;
}

/** Refuses PROJECT_NOT_FOUND, naming the projects there are, when no project has this ID. */
export async function requireProject(db: DbOrTx, id: number): Promise<void> {
  if (await projectExists(db, id)) return;
  const known = await db.select({ id: projects.id, name: projects.name }).from(projects).orderBy(asc(projects.id)).limit(PROJECTS_NAMED + 1);
  const named = known.slice(0, PROJECTS_NAMED).map((p) => `${p.id} (${p.name.slice(0, 40)})`);
  const list = known.length === 0 ? 'there are no projects' : `the projects are ${named.join(', ')}${known.length > PROJECTS_NAMED ? ', …' : ''}`;
  refuse('PROJECT_NOT_FOUND', `No project has the ID ${id}; ${list}.`);
}
