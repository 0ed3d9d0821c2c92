// Hostile input for the manifest parser: whatever a stick holds, parsing ends quickly with a
// manifest or an AirlockError, never with any other exception and never by hanging.

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AirlockError } from '../../../../common/errors.ts';
import { canonicalJson } from '../../../../electron/services/package/canonical-json.ts';
import { PACKAGE_TARGETS, parseManifest } from '../../../../electron/services/package/manifest.ts';

const RUNS = 2000;
const PER_INPUT_MS = 1000;

const encoder = new TextEncoder();

/** Parses and reports the outcome; any exception other than AirlockError fails the property. */
function outcome(bytes: Uint8Array): 'parsed' | 'refused' {
  const started = performance.now();
  try {
    parseManifest(bytes);
    return 'parsed';
  } catch (err) {
    if (!(err instanceof AirlockError)) throw err;
    expect(err.code).toBe('package.malformed');
    expect(err.message).not.toMatch(/\p{Cc}/u);
    return 'refused';
  } finally {
    expect(performance.now() - started).toBeLessThan(PER_INPUT_MS);
  }
}

// Valid segments only: Windows device names (aux, con, com1…) are refused by design.
const pathSegment = fc.stringMatching(/^[a-z0-9][a-z0-9 _-]{0,12}[a-z0-9]$/).filter((s) => !/^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i.test(s));
const packagePath = fc.array(pathSegment, { minLength: 1, maxLength: 3 }).map((parts) => `${parts.join('/')}.jpg`);

const validManifest = fc
  .record({
    author: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(s)),
    paths: fc.uniqueArray(packagePath, { minLength: 1, maxLength: 6, selector: (p) => p.toLowerCase() }),
    captions: fc.array(fc.string({ maxLength: 80 }), { minLength: 1, maxLength: 4 }),
    targets: fc.subarray([...PACKAGE_TARGETS], { minLength: 1 }),
    size: fc.nat(),
    hash: fc.stringMatching(/^[0-9a-f]{64}$/),
  })
  .map(({ author, paths, captions, targets, size, hash }) => ({
    formatVersion: 1,
    packageId: randomUUID(),
    createdAt: '2030-01-02T03:04:05.000Z',
    author,
    posts: captions.map((caption, index) => ({
      caption: caption.trim() === '' ? 'caption' : caption,
      targets,
      media: [{ path: paths[index % paths.length]!, alt: `alt ${index}` }],
    })),
    files: paths.map((path) => ({ path, size, sha256: hash })),
  }));

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Replaces, deletes or adds a value at a random place in a JSON tree. */
function mutate(tree: JsonValue, route: number[], replacement: JsonValue, action: number): JsonValue {
  if (tree === null || typeof tree !== 'object' || route.length === 0) return action % 3 === 0 ? replacement : tree;
  const [step = 0, ...rest] = route;
  if (Array.isArray(tree)) {
    if (tree.length === 0) return [replacement];
    const index = step % tree.length;
    const copy = [...tree];
    if (rest.length === 0 && action % 3 === 1) copy.splice(index, 1);
    else if (rest.length === 0 && action % 3 === 2) copy.splice(index, 0, replacement);
    else copy[index] = mutate(tree[index]!, rest, replacement, action);
    return copy;
  }
  const keys = Object.keys(tree);
  if (keys.length === 0) return { injected: replacement };
  const key = keys[step % keys.length]!;
  const copy: { [key: string]: JsonValue } = { ...tree };
  if (rest.length === 0 && action % 3 === 1) delete copy[key];
  else if (rest.length === 0 && action % 3 === 2) copy[`${key}_x`] = replacement;
  else copy[key] = mutate(tree[key]!, rest, replacement, action);
  return copy;
}

/** Canonical text where the value allows it (so the schema is reached), plain JSON otherwise. */
function spell(value: JsonValue, preferCanonical: boolean): string {
  if (preferCanonical) {
    try {
      return canonicalJson(value);
    } catch {
      // Fractions and huge numbers have no canonical spelling; the parser must refuse them anyway.
    }
  }
  return JSON.stringify(value);
}

const hostileStrings = fc.constantFrom(
  '../../etc/passwd',
  '/abs/path.jpg',
  'a\\b.jpg',
  '.hidden',
  'con.txt',
  'a\u0000b',
  '\u202Egpj.exe',
  '__proto__',
  'constructor',
  'x'.repeat(300),
  '',
);
const replacementValue: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue() as fc.Arbitrary<JsonValue>,
  hostileStrings,
  fc.constantFrom(-1, 2 ** 53, 1.5, 1e308, 0),
);

describe('parseManifest under hostile input', () => {
  it('ends with a manifest or an AirlockError for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        outcome(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('ends with a manifest or an AirlockError for random JSON documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, canonical) => {
        expect(outcome(encoder.encode(spell(value as JsonValue, canonical)))).toBe('refused');
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts every generated valid manifest', () => {
    fc.assert(
      fc.property(validManifest, (manifest) => {
        expect(outcome(encoder.encode(canonicalJson(manifest)))).toBe('parsed');
      }),
      { numRuns: 500 },
    );
  });

  it('ends with a manifest or an AirlockError for structurally mutated valid manifests', () => {
    const seen = { parsed: 0, refused: 0 };
    fc.assert(
      fc.property(
        validManifest,
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        replacementValue,
        fc.nat(),
        (manifest, route, replacement, action) => {
          const mutated = mutate(manifest as unknown as JsonValue, route, replacement, action);
          const text = spell(mutated, true);
          const result = outcome(encoder.encode(text));
          seen[result] += 1;
          // Whatever still parses must still satisfy the invariants the importer relies on.
          if (result === 'parsed') {
            const parsed = parseManifest(encoder.encode(text));
            const listed = new Set(parsed.files.map((file) => file.path));
            for (const post of parsed.posts) for (const ref of post.media) expect(listed.has(ref.path)).toBe(true);
            for (const file of parsed.files) expect(file.path.split('/')).not.toContain('..');
          }
        },
      ),
      { numRuns: RUNS },
    );
    // Both sides of the boundary are explored, not only trivially broken documents.
    expect(seen.parsed).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('ends with a manifest or an AirlockError for byte-level mutations of valid manifests', () => {
    fc.assert(
      fc.property(
        validManifest,
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('flip', 'insert', 'delete') }), {
          minLength: 1,
          maxLength: 8,
        }),
        (manifest, edits) => {
          const bytes = [...encoder.encode(canonicalJson(manifest))];
          for (const edit of edits) {
            const at = edit.at % (bytes.length + 1);
            if (edit.kind === 'insert') bytes.splice(at, 0, edit.byte);
            else if (edit.kind === 'delete') bytes.splice(at, 1);
            else bytes[at] = edit.byte;
          }
          outcome(new Uint8Array(bytes));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
