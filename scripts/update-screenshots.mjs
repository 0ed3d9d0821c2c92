// Copies the screenshots the end-to-end suite saved in test/artifacts/ into docs/screenshots/
// (scaled to 1000 px wide) for the README. Run `npm test` first, then `npm run screenshots`.
import { existsSync, mkdirSync } from 'node:fs';
import sharp from 'sharp';

const SHOTS = ['sign-in', 'import-scan', 'library', 'editor', 'approval', 'queue', 'calendar-week', 'queue-scheduled', 'publish-progress', 'audit', 'policy', 'diagnostics', 'staff', 'training-panel', 'feed', 'sign-in-et', 'import-scan-et'];
mkdirSync(new URL('../docs/screenshots/', import.meta.url), { recursive: true });
for (const name of SHOTS) {
  const from = new URL(`../test/artifacts/${name}.png`, import.meta.url);
  if (!existsSync(from)) {
    console.error(`missing test/artifacts/${name}.png: run npm test first`);
    process.exitCode = 1;
    continue;
  }
  await sharp(from.pathname).resize({ width: 1000, withoutEnlargement: true }).png({ compressionLevel: 9, palette: true }).toFile(new URL(`../docs/screenshots/${name}.png`, import.meta.url).pathname);
  console.log(`docs/screenshots/${name}.png`);
}
