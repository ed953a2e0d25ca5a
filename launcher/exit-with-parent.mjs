// Runs a command and stops it when whoever started us goes away, even by SIGKILL (which runs no
// exit hook): the parent holds our stdin pipe, and the kernel closes it when the parent dies.
// Used for `temporal server start-dev`, which would otherwise outlive a killed `npm start` or a
// killed test process. Plain JavaScript so it starts in ~40 ms without a loader.
//
//   node launcher/exit-with-parent.mjs <command> [args...]      (stdin: a pipe from the parent)
import { spawn } from 'node:child_process';
import os from 'node:os';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: exit-with-parent.mjs <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
};

process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
// A signal to us (or to our process group) stops the command; we exit when it has.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);

child.on('error', (e) => {
  process.stderr.write(`cannot run ${command}: ${e.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 1));
});
