#!/usr/bin/env node
// Regenerates python/shardwire/_error_codes.py from src/errors.ts (`npm run python:errors`): one
// exception class per code, so Python callers catch the same codes the agent answers with.
// test/unit/agent/python-error-codes.test.ts fails when the Python file falls behind.
import { writeFileSync } from 'node:fs';

/** E_TOO_FEW_CONTRIBUTORS → TooFewContributorsError; names that would shadow a builtin get a prefix. */
export function className(code) {
  const camel = code
    .replace(/^E_/, '')
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  const name = `${camel}Error`;
  return ['TimeoutError', 'ConnectionError'].includes(name) ? `Shardwire${name}` : name;
}

/** Splits `text` into lines of at most `width` characters at spaces. */
function wrap(text, width) {
  const out = [''];
  for (const word of text.split(' ')) {
    const line = out[out.length - 1];
    if (line.length > 0 && line.length + 1 + word.length > width) out.push(word);
    else out[out.length - 1] = line.length > 0 ? `${line} ${word}` : word;
  }
  return out;
}

/** The Python source for a catalogue `{ code: { hint } }`. */
export function renderPythonCodes(catalogue) {
  const lines = [
    '"""Exception classes for the shardwire error codes.',
    '',
    'Generated from src/errors.ts by scripts/python-error-codes.mjs (`npm run python:errors`); do not',
    'edit by hand.',
    '"""',
    '',
    'from typing import Dict, Type',
    '',
    'from ._error_base import ShardwireError',
    '',
  ];
  for (const [code, spec] of Object.entries(catalogue)) {
    const name = className(code);
    const bases = name === 'ShardwireTimeoutError' ? 'ShardwireError, TimeoutError' : 'ShardwireError';
    const doc = wrap(`${code}: ${spec.hint.replaceAll('\\', '\\\\').replaceAll('"""', "'''")}`, 92);
    const docLines =
      doc.length === 1
        ? [`    """${doc[0]}"""`]
        : [`    """${doc[0]}`, ...doc.slice(1).map((l) => `    ${l}`), '    """'];
    lines.push('', `class ${name}(${bases}):`, ...docLines, '', `    code = ${JSON.stringify(code)}`, '');
  }
  lines.push('', '#: Exception class per error code.', 'ERROR_CLASSES: Dict[str, Type[ShardwireError]] = {');
  for (const code of Object.keys(catalogue)) lines.push(`    ${JSON.stringify(code)}: ${className(code)},`);
  lines.push(
    '}',
    '',
    '__all__ = [',
    ...Object.keys(catalogue).map((c) => `    ${JSON.stringify(className(c))},`),
    '    "ERROR_CLASSES",',
    ']',
    '',
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ERROR_CATALOGUE } = await import('../src/errors.ts');
  writeFileSync(new URL('../python/shardwire/_error_codes.py', import.meta.url), renderPythonCodes(ERROR_CATALOGUE));
}
