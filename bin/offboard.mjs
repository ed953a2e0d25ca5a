#!/usr/bin/env node
// `offboard` launcher (package.json "bin"): registers tsx (a devDependency) so the TypeScript CLI
// runs without a build step, then hands over to client/cli/offboard.ts.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli/offboard.ts');
