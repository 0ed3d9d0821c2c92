// `npm start`: builds Airlock and runs the Electron app. Where the Electron binary could not be
// downloaded (no route to its download host), says so in one line and runs the browser shell.
import { spawn, spawnSync } from 'node:child_process';
import { electronBinary } from './electron-binary.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// AIRLOCK_SKIP_BUILD: the test suite has built already, and rebuilding would empty dist/ under
// the other tests' feet.
if (!process.env.AIRLOCK_SKIP_BUILD) {
  const built = spawnSync(npm, ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const binary = electronBinary();
const [command, args] = binary
  ? [binary, ['.']]
  : [process.execPath, ['bin/airlock.mjs', 'serve', ...process.argv.slice(2)]];
if (!binary) {
  console.log(
    'Airlock: the Electron binary is not installed (it is downloaded from the internet at install time, which this machine cannot reach), so the browser shell opens instead.',
  );
}
const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
