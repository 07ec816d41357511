/**
 * @module kernel/loader
 * Compiles the kernel's WebAssembly once per build flavour and instantiates it per use. Works in
 * Node (reads build/ from disk) and browsers (fetches it next to this module). Chooses the SIMD
 * build when the engine validates it, the scalar build otherwise (hash-wasm style).
 */
import { ShardwireError } from '../errors.ts';
import { EXPECTED_ABI_VERSION, KERNEL_FUNCTIONS, type KernelExports } from './abi.ts';

/** Which compiled flavour to load; `auto` = SIMD when supported, else scalar. */
export type KernelFlavour = 'auto' | 'simd' | 'scalar' | 'debug';

const FILES: Record<Exclude<KernelFlavour, 'auto'>, string> = {
  simd: 'kernel-simd.wasm',
  scalar: 'kernel-scalar.wasm',
  debug: 'kernel-debug.wasm',
};

const compiled = new Map<string, Promise<WebAssembly.Module>>();

async function readBytes(file: string): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(`../../build/${file}`, import.meta.url);
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  try {
    if (isNode) {
      const { readFile } = await import('node:fs/promises');
      return new Uint8Array(await readFile(url));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new ShardwireError('E_KERNEL', `cannot read the kernel build/${file} (${(e as Error).message}); run \`npm run asbuild\``, { file });
  }
}

function compile(flavour: Exclude<KernelFlavour, 'auto'>): Promise<WebAssembly.Module> {
  let p = compiled.get(flavour);
  if (!p) {
    p = readBytes(FILES[flavour]).then((bytes) => {
      if (!WebAssembly.validate(bytes)) {
        throw new ShardwireError('E_KERNEL', `this engine cannot run the ${flavour} kernel (WebAssembly.validate failed)`, { flavour });
      }
      return WebAssembly.compile(bytes);
    });
    p.catch(() => compiled.delete(flavour)); // a failed read may succeed after a rebuild
    compiled.set(flavour, p);
  }
  return p;
}

/** Resolves `auto` to the best flavour this engine runs. */
export async function resolveFlavour(flavour: KernelFlavour): Promise<Exclude<KernelFlavour, 'auto'>> {
  if (flavour !== 'auto') return flavour;
  try {
    await compile('simd');
    return 'simd';
  } catch {
    return 'scalar';
  }
}

/**
 * Instantiates a fresh kernel (its own memory) of the given flavour and checks its ABI.
 * @throws {ShardwireError} E_KERNEL when the build is missing, invalid or of another ABI version.
 */
export async function instantiateKernel(flavour: KernelFlavour = 'auto'): Promise<{ exports: KernelExports; flavour: Exclude<KernelFlavour, 'auto'> }> {
  const resolved = await resolveFlavour(flavour);
  const instance = await WebAssembly.instantiate(await compile(resolved), {});
  const exports = instance.exports as unknown as KernelExports;
  for (const name of KERNEL_FUNCTIONS) {
    if (typeof (exports as unknown as Record<string, unknown>)[name] !== 'function') {
      throw new ShardwireError('E_KERNEL', `kernel build ${resolved} lacks export ${name}; rebuild with \`npm run asbuild\``, { flavour: resolved, missing: name });
    }
  }
  const version = exports.abiVersion();
  if (version !== EXPECTED_ABI_VERSION) {
    throw new ShardwireError('E_KERNEL', `kernel ABI version ${version}, expected ${EXPECTED_ABI_VERSION}; rebuild with \`npm run asbuild\``, { flavour: resolved, version });
  }
  return { exports, flavour: resolved };
}
