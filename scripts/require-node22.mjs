// Airlock's tooling needs Node 22 or newer (better-sqlite3 13, vitest 5, Node's type stripping).
// `npm run …` puts the project's own Node 22 (devDependency "node") first on PATH; a bin run
// straight from the shell may pick up an older system Node, which crashes in confusing ways.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `Airlock needs Node 22 or newer, but this is Node ${process.versions.node}. ` +
      'Run commands through npm (npm start, npm test, npx airlock …) so the project\'s own Node is used.',
  );
  process.exit(1);
}
