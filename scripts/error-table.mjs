#!/usr/bin/env node
// Regenerates the README's error table from src/errors.ts, between the errors:start/end markers
// (`npm run docs:errors`); test/unit/errors.test.ts fails when the README falls behind.
import { readFileSync, writeFileSync } from 'node:fs';

const { ERROR_CATALOGUE } = await import('../src/errors.ts');
const rows = ['| code | close code | what to do |', '| --- | --- | --- |'];
for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) rows.push(`| \`${code}\` | ${spec.closeCode ?? '—'} | ${spec.hint.replaceAll('|', '\\|')} |`);
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const next = readme.replace(/<!-- errors:start -->[\s\S]*<!-- errors:end -->/, `<!-- errors:start -->\n${rows.join('\n')}\n<!-- errors:end -->`);
if (next === readme && !readme.includes('<!-- errors:start -->')) throw new Error('README.md lacks the errors:start/end markers');
writeFileSync(path, next);
