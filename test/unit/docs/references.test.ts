// Docs a newcomer can follow: every pointer in the README, docs/ and the error hints leads to a
// file and a section that exist in this repository; nothing names a file outside it or an
// internal issue number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOGUE } from '../../../src/errors.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) out.push(...files(p, ext));
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

function headings(markdown: string): string[] {
  return [...markdown.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim());
}

const DOCS = ['README.md', ...files('docs', /\.md$/)];
const CODE = ['src', 'assembly', 'bench', 'scripts', 'bin', 'examples'].flatMap((d) => files(d, /\.(ts|mjs|js|html)$/));

test('docs/*.md links and "docs/X.md, \\"Section\\"" pointers resolve, in docs and error hints', () => {
  const texts: [string, string][] = [
    ...DOCS.map((p) => [p, read(p)] as [string, string]),
    ...Object.entries(ERROR_CATALOGUE).map(([c, s]) => [c, s.hint] as [string, string]),
  ];
  for (const [where, text] of texts) {
    for (const m of text.matchAll(/(?:\]\()?(docs\/[A-Z]+\.md)(?:, "([^"]+)")?/g)) {
      assert.ok(existsSync(join(ROOT, m[1]!)), `${where}: ${m[1]} does not exist`);
      if (m[2] !== undefined) {
        assert.ok(
          headings(read(m[1]!)).some((h) => h.startsWith(m[2]!)),
          `${where}: ${m[1]} has no section "${m[2]}"`,
        );
      }
    }
  }
});

test('"README §Section" pointers name sections the README has', () => {
  const readmeHeadings = headings(read('README.md'));
  const texts = [...Object.values(ERROR_CATALOGUE).map((s) => s.hint), ...DOCS.map(read)];
  for (const text of texts) {
    for (const m of text.matchAll(/README §([A-Z][A-Za-z ]+[a-z])/g)) {
      assert.ok(
        readmeHeadings.some((h) => h.startsWith(m[1]!)),
        `README has no section "${m[1]}"`,
      );
    }
  }
});

test('nothing points outside the repository or at internal issue numbers', () => {
  for (const p of [...DOCS, ...CODE, 'package.json']) {
    const text = read(p);
    assert.doesNotMatch(text, /\.\.\/shared\b/, `${p} points at ../shared (outside the repository)`);
    assert.doesNotMatch(text, /\bissue #?\d+/i, `${p} cites an internal issue number`);
  }
  for (const [code, spec] of Object.entries(ERROR_CATALOGUE))
    assert.doesNotMatch(spec.hint, /DESIGN\.md/, `${code} hint cites a file the repository does not have`);
});
