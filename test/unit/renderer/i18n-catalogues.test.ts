// Every word staff read is translated: both catalogues hold the same keys (plural forms
// included), no value is empty, Estonian is not a copy of English, placeholders and markup match,
// every key the renderer asks for exists, and no screen renders an untranslated literal (JSX text,
// user-facing attributes, or strings rendered straight from a JSX expression). The renderer's
// source is parsed with TypeScript's compiler API, not searched with patterns.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { eventContract } from '../../../common/contract.ts';
import { METHOD_NAMES } from '../../../common/method-names.ts';
import { PLATFORM_IDS } from '../../../common/platforms.ts';
import { CAPTION_SCRIPTS, MP4_TAG_LABELS, SANITIZE_FINDING_CODES } from '../../../common/sanitize-report.ts';
import { RULE_CODES } from '../../../electron/platforms/post-rules.ts';
import { INGEST_CODES } from '../../../electron/services/ingest/codes.ts';
import { TRAINING_STICK_IDS } from '../../../electron/services/training/training-content.ts';
import en from '../../../renderer/src/i18n/en.json' with { type: 'json' };
import et from '../../../renderer/src/i18n/et.json' with { type: 'json' };

const RENDERER = path.resolve(import.meta.dirname, '../../../renderer/src');

type Catalogue = { [key: string]: string | Catalogue };

function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const EN = flatten(en as Catalogue);
const ET = flatten(et as Catalogue);

/** Words that are the same in both languages on purpose: names, and terms Estonian borrows. */
const SAME_IN_BOTH = new Set(['aa', 'airlock', 'tiktok', 'bluesky', 'mastodon', 'x', 'youtube', 'video', 'kiosk', 'server', 'pin', 'oauth', 'url', 'id']);

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** `{{name}}` and `{{count, number}}` give `name` and `count`; `<code>` gives the tag. */
function placeholders(value: string): string[] {
  const names = [...value.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => `{{${m[1]}}}`);
  const tags = [...value.matchAll(/<\/?([a-z][\w-]*)\s*\/?>/gi)].map((m) => `<${m[1]}>`);
  return [...names, ...tags].sort();
}

/** What a value says once its placeholders, markup, numbers and symbols are taken away. */
const words = (value: string) =>
  value
    .replace(/\{\{[^}]*\}\}/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();

/** Words, not symbols: ℹ is a letter to Unicode but an icon on screen. */
const hasLetters = (text: string) => /\p{L}/u.test(text.replace(/ℹ/g, ''));

/** Example values in a field's placeholder (a host name) are not words to translate. */
const isExampleHost = (text: string) => /^[\w-]+(\.[\w-]+)+$/.test(text.trim());

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

const KEY_NAMESPACES = new Set(Object.keys(en));
/** A string that names a catalogue entry: `home.title`, `staff.roleOption.admin`. */
/** Names that look like keys but are not: API methods, events, error codes, audit kinds, change kinds. */
const NOT_KEYS = new Set<string>([...METHOD_NAMES, ...Object.keys(eventContract), 'accounts.changed']);
const looksLikeKey = (text: string) =>
  /^[a-zA-Z]+(\.[\w-]+)+$/.test(text) && KEY_NAMESPACES.has(text.split('.')[0]!) && !NOT_KEYS.has(text) && !EN.has(`errors.${text}`) && !EN.has(`auditKinds.${text}`);
const keyExists = (key: string) => EN.has(key) || EN.has(`${key}_one`) || EN.has(`${key}_other`);
const prefixExists = (prefix: string) => [...EN.keys()].some((k) => k.startsWith(prefix));

/** Attributes whose text reaches staff (read aloud, shown on hover, in a field or a group label). */
const USER_FACING_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'title', 'placeholder', 'alt', 'label']);

interface Finding {
  file: string;
  line: number;
  text: string;
}

interface Scan {
  keys: Finding[];
  dynamicPrefixes: Finding[];
  literals: Finding[];
}

function scan(file: string): Scan {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const result: Scan = { keys: [], dynamicPrefixes: [], literals: [] };
  const at = (node: ts.Node, found: string): Finding => ({ file: path.relative(RENDERER, file), line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: found });
  const isTranslateCall = (node: ts.Node): node is ts.CallExpression => {
    if (!ts.isCallExpression(node)) return false;
    const callee = node.expression;
    if (ts.isIdentifier(callee)) return callee.text === 't' || callee.text === 'translate';
    return ts.isPropertyAccessExpression(callee) && callee.name.text === 't';
  };

  /** A literal rendered as it is: directly in `{…}`, or as a branch of `?:`, `||`, `??` there. */
  const rendered = (expr: ts.Expression, report: (node: ts.Node, s: string) => void) => {
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) report(expr, expr.text);
    else if (ts.isTemplateExpression(expr)) {
      report(expr, [expr.head.text, ...expr.templateSpans.map((s) => s.literal.text)].join(' '));
      for (const span of expr.templateSpans) rendered(span.expression, report);
    } else if (ts.isConditionalExpression(expr)) {
      rendered(expr.whenTrue, report);
      rendered(expr.whenFalse, report);
    } else if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.PlusToken].includes(expr.operatorToken.kind)) {
      if (expr.operatorToken.kind !== ts.SyntaxKind.AmpersandAmpersandToken) rendered(expr.left, report);
      rendered(expr.right, report);
    } else if (ts.isParenthesizedExpression(expr)) rendered(expr.expression, report);
  };
  const reportLiteral = (node: ts.Node, s: string) => {
    if (hasLetters(s) && !isExampleHost(s)) result.literals.push(at(node, s.trim()));
  };

  const visit = (node: ts.Node) => {
    if (isTranslateCall(node)) {
      const [first] = node.arguments;
      if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) result.keys.push(at(first, first.text));
      else if (first && ts.isTemplateExpression(first)) result.dynamicPrefixes.push(at(first, first.head.text));
    }
    // Keys held in tables and passed on (tour steps, audit kinds, policy labels).
    const isCode = () =>
      (ts.isPropertyAssignment(node.parent) && node.parent.name.getText() === 'code') ||
      (ts.isBinaryExpression(node.parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(node.parent.operatorToken.kind));
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && looksLikeKey(node.text) && !ts.isImportDeclaration(node.parent) && !isCode() && !isTranslateCall(node.parent)) result.keys.push(at(node, node.text));
    if (ts.isTemplateExpression(node) && looksLikeKey(node.head.text.replace(/\.$/, ''))) result.dynamicPrefixes.push(at(node, node.head.text));
    if (ts.isJsxAttribute(node) && node.name.getText() === 'i18nKey' && node.initializer && ts.isStringLiteral(node.initializer)) result.keys.push(at(node.initializer, node.initializer.text));

    // Text in <code> is a command or a path, the same in every language.
    const inCode = () => ts.isJsxElement(node.parent) && node.parent.openingElement.tagName.getText() === 'code';
    if (ts.isJsxText(node) && hasLetters(node.text) && !inCode()) result.literals.push(at(node, node.text.trim()));
    if (ts.isJsxAttribute(node) && USER_FACING_ATTRIBUTES.has(node.name.getText()) && node.initializer) {
      if (ts.isStringLiteral(node.initializer)) reportLiteral(node.initializer, node.initializer.text);
      else if (ts.isJsxExpression(node.initializer) && node.initializer.expression) rendered(node.initializer.expression, reportLiteral);
    }
    if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) rendered(node.expression, reportLiteral);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return result;
}

const scans = sourceFiles(RENDERER).map(scan);
const show = (f: Finding) => `${f.file}:${f.line} ${JSON.stringify(f.text)}`;

describe('the renderer’s English and Estonian catalogues', () => {
  it('hold the same keys, plural forms included', () => {
    expect([...ET.keys()].filter((k) => !EN.has(k))).toEqual([]);
    expect([...EN.keys()].filter((k) => !ET.has(k))).toEqual([]);
  });

  it('give every plural both the forms Estonian and English need (one and other)', () => {
    const bases = new Set([...EN.keys()].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
    const incomplete = [...bases].filter((b) => !EN.has(`${b}_one`) || !EN.has(`${b}_other`));
    expect(incomplete).toEqual([]);
    expect([...bases].filter((b) => EN.has(b))).toEqual([]);
  });

  it('have no empty value', () => {
    expect([...EN, ...ET].filter(([, v]) => v.trim() === '').map(([k]) => k)).toEqual([]);
  });

  it('use the same placeholders and markup in both languages', () => {
    const differ = [...EN].filter(([k, v]) => JSON.stringify(placeholders(v)) !== JSON.stringify(placeholders(ET.get(k) ?? '')));
    expect(differ.map(([k, v]) => `${k}: ${v} / ${ET.get(k)}`)).toEqual([]);
  });

  it('translate into Estonian rather than copy the English', () => {
    const copied = [...EN].filter(([k, v]) => {
      const said = words(v);
      return said !== '' && ET.get(k) === v && !said.split(' ').every((w) => SAME_IN_BOTH.has(w.toLowerCase()));
    });
    expect(copied.map(([k, v]) => `${k}: ${v}`)).toEqual([]);
  });

  it('write Estonian with its own letters, not stand-ins', () => {
    const ascii = [...ET].filter(([, v]) => /\b(o~|a"|o"|u"|s\^|z\^)/.test(v));
    expect(ascii).toEqual([]);
    expect([...ET.values()].some((v) => /[õäöüšž]/.test(v))).toBe(true);
  });
});

describe('the renderer’s use of the catalogues', () => {
  it('asks only for keys that exist', () => {
    const missing = scans.flatMap((s) => s.keys).filter((f) => !keyExists(f.text));
    expect(missing.map(show)).toEqual([]);
  });

  it('builds keys only under prefixes that exist', () => {
    const missing = scans.flatMap((s) => s.dynamicPrefixes).filter((f) => f.text !== '' && !prefixExists(f.text));
    expect(missing.map(show)).toEqual([]);
  });

  it('renders no untranslated text: no JSX text, user-facing attribute or rendered string literal with words in it', () => {
    const literals = scans.flatMap((s) => s.literals);
    expect(literals.map(show)).toEqual([]);
  });

  it('finds what it looks for (the scan itself works)', () => {
    const probe = path.join(RENDERER, '..', '.i18n-probe.tsx');
    fs.writeFileSync(probe, `export const P = () => <p title="Hover words" aria-label={ok ? 'Yes' : t('home.none')}>Some words {'more words'} {t('no.such.key')}</p>;\n`);
    try {
      const found = scan(probe);
      expect(found.literals.map((f) => f.text)).toEqual(['Hover words', 'Yes', 'Some words', 'more words']);
      expect(found.keys.map((f) => f.text)).toContain('home.none');
      expect(found.keys.filter((f) => !keyExists(f.text)).map((f) => f.text)).toEqual(['no.such.key']);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});

/** Every `'prefix.code'` string literal in the TypeScript files of a folder. */
function codesIn(dir: string, prefix: string): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(dir)) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(new RegExp(`'(${prefix}\\.[a-z0-9-]+)'`, 'g'))) found.add(m[1]!);
  }
  return [...found].sort();
}

const SERVICES = path.resolve(import.meta.dirname, '../../../electron/services');
const PLATFORMS = path.resolve(import.meta.dirname, '../../../electron/platforms');
const inBoth = (key: string) => (EN.has(key) || (EN.has(`${key}_one`) && EN.has(`${key}_other`))) && (ET.has(key) || (ET.has(`${key}_one`) && ET.has(`${key}_other`)));

describe('the sentences the services write', () => {
  it('can say every sanitisation finding, metadata tag and writing system in both languages', () => {
    expect(SANITIZE_FINDING_CODES.length).toBeGreaterThan(40);
    expect(SANITIZE_FINDING_CODES.filter((code) => !inBoth(`sanitize.${code}`))).toEqual([]);
    expect(Object.keys(MP4_TAG_LABELS).filter((id) => !inBoth(`sanitize.tags.${id}`))).toEqual([]);
    expect(CAPTION_SCRIPTS.filter((script) => !inBoth(`sanitize.scripts.${script}`))).toEqual([]);
  });

  it('can say every ingest code in both languages, and the ingest code uses no code missing from the list', () => {
    const used = codesIn(path.join(SERVICES, 'ingest'), 'ingest');
    expect(used).toContain('ingest.too-large');
    expect(used.filter((code) => !(INGEST_CODES as readonly string[]).includes(code))).toEqual([]);
    expect(INGEST_CODES.filter((code) => !inBoth(`errors.${code}`))).toEqual([]);
  });

  it('can say every platform rule in both languages, and the rules use no code missing from their platform\'s list', () => {
    for (const platform of PLATFORM_IDS) {
      const files = [path.join(PLATFORMS, platform, 'rules.ts'), ...(platform === 'tiktok' ? [path.join(PLATFORMS, 'post-rules.ts')] : [])];
      const used = files.flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(new RegExp(`'(${platform}\\.[a-z0-9-]+)'`, 'g'))].map((m) => m[1]!));
      expect(used.length, platform).toBeGreaterThan(0);
      expect(used.filter((code) => !RULE_CODES[platform].includes(code)), platform).toEqual([]);
      expect(RULE_CODES[platform].filter((code) => !inBoth(`rules.${code}`)), platform).toEqual([]);
    }
  });

  it('can describe every training stick in both languages', () => {
    expect(TRAINING_STICK_IDS.filter((id) => !inBoth(`training.stick.${id}.description`))).toEqual([]);
  });

  it('can say every error the services raise for staff in both languages', () => {
    // IT's command-line tools (audit export, package building) speak English in a terminal;
    // everything else can reach a screen, including the platforms' connect steps (Accounts).
    const commandLineOnly = new Set(['audit/audit-export.ts', 'audit/read-only-database.ts', 'package/builder.ts']);
    const codes = new Set<string>();
    const connectSteps = sourceFiles(PLATFORMS).filter((file) => /\/(connect|creator-info)\.ts$/.test(file));
    for (const file of [...sourceFiles(SERVICES), ...connectSteps]) {
      const rel = path.relative(SERVICES, file);
      if (commandLineOnly.has(rel)) continue;
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/new AirlockError\(\s*'([a-z]+\.[a-z0-9.-]+)'/g)) codes.add(m[1]!);
    }
    expect(codes).toContain('accounts.revoke-failed');
    expect(codes.size).toBeGreaterThan(50);
    expect([...codes].filter((code) => !inBoth(`errors.${code}`)).sort()).toEqual([]);
  });

  it('can say every network refusal and failure in both languages', () => {
    const egress = codesIn(path.join(SERVICES, 'egress'), 'egress');
    expect(egress).toContain('egress.host-not-allowed');
    expect(egress.filter((code) => !inBoth(`errors.${code}`))).toEqual([]);
  });
});
