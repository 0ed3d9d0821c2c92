// `npm run check:electron [DIR]`: runs electronegativity over Airlock's TypeScript sources and
// FAILS on any finding at MEDIUM or above, or any sandbox/context-isolation/node-integration
// finding at all, unless build/electronegativity-accepted.json lists it with a reason.
// Electronegativity always exits 0, so its CSV output is parsed here. It also tries to fetch
// translations and Electron's release list from the internet; offline-guard.cjs makes those
// fail at once without sending anything (the release check is done by reviewing upgrades).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const target = path.resolve(process.argv[2] ?? path.join(projectRoot, 'electron'));
const acceptedFile = process.argv[3] ?? path.join(projectRoot, 'build', 'electronegativity-accepted.json');
const ELECTRON_VERSION = JSON.parse(readFileSync(path.join(projectRoot, 'node_modules/electron/package.json'), 'utf8')).version;

const ALWAYS_FAIL = /^(NODE_INTEGRATION|CONTEXT_ISOLATION|SANDBOX)/;
const FAILING_SEVERITIES = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);

if (!existsSync(target)) {
  console.error(`check:electron: ${target} does not exist`);
  process.exit(2);
}

// The scan sees the sources and the renderer's HTML (where the CSP meta tag lives) together.
const stage = mkdtempSync(path.join(os.tmpdir(), 'airlock-electronegativity-'));
const stagedName = path.basename(target);
cpSync(target, path.join(stage, stagedName), { recursive: true });
const html = path.join(projectRoot, 'renderer', 'index.html');
if (target === path.join(projectRoot, 'electron') && existsSync(html)) cpSync(html, path.join(stage, 'renderer', 'index.html'));

const csv = path.join(stage, 'findings.csv');
const cli = path.join(path.dirname(require.resolve('@doyensec/electronegativity/package.json')), 'dist', 'index.js');
const run = spawnSync(
  process.execPath,
  ['--require', fileURLToPath(new URL('./offline-guard.cjs', import.meta.url)), cli, '-i', stage, '-r', '-e', ELECTRON_VERSION, '-o', csv],
  { encoding: 'utf8', env: { ...process.env, LANG: 'en-US' } },
);
if (run.status !== 0 || !existsSync(csv)) {
  console.error(`check:electron: electronegativity did not run (exit ${run.status}).\n${run.stderr}`);
  rmSync(stage, { recursive: true, force: true });
  process.exit(2);
}

function parseCsv(text) {
  const rows = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (!line.trim()) continue;
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted && ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = !quoted;
      } else if (ch === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else {
        cell += ch;
      }
    }
    cells.push(cell);
    const [check, severity, confidence, file, location, sample, description] = cells.map((c) => c.trim());
    rows.push({ check, severity, confidence, file, location, sample, description });
  }
  return rows;
}

const findings = parseCsv(readFileSync(csv, 'utf8'));
rmSync(stage, { recursive: true, force: true });
const accepted = existsSync(acceptedFile) ? JSON.parse(readFileSync(acceptedFile, 'utf8')).accepted : [];
const isAccepted = (f) => accepted.some((a) => a.check === f.check && a.file === f.file);

let failures = 0;
for (const f of findings) {
  const gating = FAILING_SEVERITIES.has(f.severity) || ALWAYS_FAIL.test(f.check);
  const verdict = !gating ? 'note' : isAccepted(f) ? 'accepted' : 'FAIL';
  if (verdict === 'FAIL') failures++;
  console.log(`${verdict.padEnd(8)} ${f.check} [${f.severity}/${f.confidence}] ${f.file}:${f.location} ${f.description}`);
}
console.log(`check:electron: ${findings.length} findings, ${failures} failing (Electron ${ELECTRON_VERSION}).`);
process.exit(failures > 0 ? 1 : 0);
