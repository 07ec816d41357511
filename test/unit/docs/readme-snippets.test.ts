// README snippets run as written: every ```ts block is executed (with `shardwire` imports mapped
// to the sources), and every `npm run …` line of a ```sh block names a script that exists and,
// for `npm run cli -- <command>`, a command and flags that command accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = (lang: string) =>
  [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
const ENTRIES: Record<string, string> = {
  shardwire: 'src/index.ts',
  'shardwire/relay': 'src/relay/index.ts',
  'shardwire/kernel': 'src/kernel/index.ts',
};

test('every ts block of the README runs', { timeout: 120_000 }, () => {
  const ts = blocks('ts');
  assert.ok(ts.length >= 2, 'the README has its code examples');
  const dir = mkdtempSync(join(tmpdir(), 'sw-readme-'));
  try {
    for (const [i, code] of ts.entries()) {
      const mapped = code.replace(/from '(shardwire(?:\/[a-z]+)?)'/g, (_, name: string) => {
        assert.ok(ENTRIES[name], `snippet ${i} imports ${name}, which is not a package entry`);
        return `from '${pathToFileURL(join(ROOT, ENTRIES[name]!)).href}'`;
      });
      const file = join(dir, `snippet-${i}.mts`);
      writeFileSync(file, mapped);
      const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), file], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 0, `README ts block ${i} failed:\n${code}\n${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every npm command of the README names a script, command and flags that exist', async () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const lines = blocks('sh')
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
  const prose = [...README.matchAll(/`(npm run [^`]+)`/g)].map((m) => m[1]!);
  let checked = 0;
  for (const line of [...lines, ...prose]) {
    for (const m of line.matchAll(/npm run (?:-s |--silent )?([\w:-]+)(?: -- ([^"$`)]*))?/g)) {
      assert.ok(scripts[m[1]!], `README runs npm run ${m[1]}, which package.json lacks`);
      checked++;
      if (m[1] !== 'cli' || m[2] === undefined) continue;
      const [command, ...rest] = m[2].trim().split(/\s+/);
      if (command === undefined || command.startsWith('-') || command.startsWith('<')) continue;
      const mod = (await import(pathToFileURL(join(ROOT, 'src/cli', `${command}.ts`)).href)) as { usage: string };
      for (const flag of rest.filter((a) => a.startsWith('--'))) {
        assert.ok(mod.usage.includes(flag.split('=')[0]!), `README: shardwire ${command} has no flag ${flag}`);
      }
    }
  }
  assert.ok(checked >= 8, `only ${checked} npm commands found`);
});
