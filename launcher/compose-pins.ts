// The Temporal versions docker-compose.yml pins are the only place those versions are written:
// `npm run stack` reads them from there and builds exactly those, so compose and the local
// topology cannot drift apart.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../config/settings';

export const COMPOSE_FILE = path.join(projectRoot, 'docker-compose.yml');

export type ComposePins = {
  /** temporalio/server and temporalio/admin-tools (compose upgrades them together). */
  temporalServer: string;
  /** temporalio/ui. */
  temporalUi: string;
};

const pinnedVersion = z.string().regex(/^\d+\.\d+\.\d+$/, 'must be pinned to a release (x.y.z)');

/** The tags of every `image: <name>:<tag>` line for that image. */
function tagsOf(compose: string, image: string): string[] {
  const escaped = image.replace(/[/.]/g, (c) => `\\${c}`);
  return [...compose.matchAll(new RegExp(`^\\s*image:\\s*["']?${escaped}:([^"'\\s]+)["']?\\s*$`, 'gm'))].map((m) => m[1] ?? '');
}

function onePin(compose: string, images: string[]): string {
  const tags = new Set(images.flatMap((image) => tagsOf(compose, image)));
  if (tags.size !== 1) {
    throw new Error(`${path.basename(COMPOSE_FILE)}: expected one version for ${images.join(' and ')}, found ${tags.size === 0 ? 'none' : [...tags].join(', ')}`);
  }
  const [tag] = [...tags];
  const parsed = pinnedVersion.safeParse(tag);
  if (!parsed.success) throw new Error(`${path.basename(COMPOSE_FILE)}: ${images[0]}:${tag} ${parsed.error.issues[0]?.message ?? 'is not pinned'}`);
  return parsed.data;
}

export function composePins(file: string = COMPOSE_FILE): ComposePins {
  const compose = fs.readFileSync(file, 'utf8');
  return {
    temporalServer: onePin(compose, ['temporalio/server', 'temporalio/admin-tools']),
    temporalUi: onePin(compose, ['temporalio/ui']),
  };
}
