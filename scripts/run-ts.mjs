#!/usr/bin/env node
// Runs one of the project's TypeScript entry points (`node scripts/run-ts.mjs worker/main.ts …`):
// esbuild bundles it with what it imports from the project (packages stay outside: Node loads them
// as usual), and Node imports the bundle. It does what `node --import tsx` did for the project's own
// processes at about half the start-up CPU: tsx resolves and loads every module through a hooks thread
// (the CLI's --help took 2.2 CPU-s with tsx, 1.0 through this). Stack traces still name the .ts files
// (inline source maps), and each module sees its own import.meta.url, as it would unbundled.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entryArg] = process.argv.splice(2, 1);
if (!entryArg) {
  process.stderr.write('usage: node scripts/run-ts.mjs <entry.ts> [arguments]\n');
  process.exit(2);
}
const entry = path.resolve(entryArg);

/** import.meta.url (and dirname, filename) as the module's own file, not the bundle's. */
const ownImportMeta = {
  name: 'own-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx|mts)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await fs.promises.readFile(args.path, 'utf8');
      const contents = source
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
    });
  },
};

const cacheDir = path.join(root, 'node_modules', '.cache', 'run-ts');
const manifestFile = path.join(cacheDir, `${crypto.createHash('sha256').update(entry).digest('hex').slice(0, 16)}.json`);

/** The bundle built last time, when none of the files it was built from changed since (size and mtime). */
function cachedBundle() {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    for (const [file, [size, mtimeMs]] of Object.entries(manifest.inputs)) {
      const st = fs.statSync(file);
      if (st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
    }
    return fs.existsSync(manifest.bundle) ? manifest.bundle : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `text` to `file` whole: processes started at once never read each other's file half-way. */
function writeWhole(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function buildBundle() {
  // Loaded only to build: most starts find their bundle built.
  const { build, stop } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    sourcesContent: false,
    write: false,
    // Where bundles go (the name is settled below): the source map's paths are relative to it.
    outfile: path.join(cacheDir, 'bundle.mjs'),
    metafile: true,
    logLevel: 'error',
    absWorkingDir: root,
    tsconfig: path.join(root, 'tsconfig.json'),
    plugins: [ownImportMeta],
  });
  await stop();
  const code = result.outputFiles[0].text;
  // Inside the project, so that the bundle's package imports resolve to its node_modules.
  const bundle = path.join(cacheDir, `${path.basename(entry).replace(/\.[^.]+$/, '')}-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!fs.existsSync(bundle)) writeWhole(bundle, code);
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f)), path.join(root, 'tsconfig.json'), fileURLToPath(import.meta.url)]) {
    const st = fs.statSync(file);
    inputs[file] = [st.size, st.mtimeMs];
  }
  writeWhole(manifestFile, JSON.stringify({ bundle, inputs }));
  return bundle;
}

const file = cachedBundle() ?? (await buildBundle());
process.argv[1] = entry; // as `node entry.ts` would have it
process.setSourceMapsEnabled(true);
await import(pathToFileURL(file).href);
