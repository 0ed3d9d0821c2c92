// Checks that the system programs Airlock's tests drive for real are present, and says exactly
// what is missing. As root (CI, a fresh kiosk build box) it installs them with the install script.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { missingTestTools } from './test-tools.mjs';

let missing = missingTestTools();
if (missing.length > 0 && process.getuid?.() === 0) {
  console.log(`Installing system packages the tests need: ${[...new Set(missing.map((m) => m.pkg))].join(' ')}`);
  const script = fileURLToPath(new URL('./install-test-deps.sh', import.meta.url));
  const result = spawnSync('bash', [script], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  missing = missingTestTools();
}
if (missing.length > 0) {
  console.error('The tests need these programs, which are not installed:');
  for (const m of missing) console.error(`  ${m.tool} (Debian/Ubuntu package ${m.pkg})`);
  console.error('Install them with: sudo scripts/install-test-deps.sh');
  process.exit(1);
}
if (!existsSync(new URL('../node_modules/.bin/vitest', import.meta.url))) {
  console.error('The npm packages are not installed. Run: npm ci');
  process.exit(1);
}
