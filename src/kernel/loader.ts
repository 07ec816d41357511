/**
 * @module kernel/loader
 * Compiles the kernel's WebAssembly once per build and instantiates it per use (hash-wasm
 * style). Chooses the SIMD build when the engine compiles it, the scalar build otherwise.
 *
 * Where the bytes come from: by default the build next to this module (kernel/wasm-url.ts), read
 * from disk on Node (`file:` URLs) and fetched with `WebAssembly.instantiateStreaming` elsewhere,
 * so a browser compiles while the bytes arrive. A caller can pass a URL, the bytes, or a compiled
 * module instead ({@link KernelLoadOptions.source}), e.g. when its server keeps the wasm apart
 * from the JavaScript. No Node import here: `node:fs` is reached through
 * `process.getBuiltinModule` (Node ≥ 20.16), so bundlers see nothing to resolve for a browser.
 */
import { ShardwireError } from '../errors.ts';
import { EXPECTED_ABI_VERSION, KERNEL_FUNCTIONS, type KernelExports } from './abi.ts';
import { defaultKernelUrl } from './wasm-url.ts';

/** Which compiled flavour to load; `auto` = SIMD when supported, else scalar. */
export type KernelFlavour = 'auto' | 'simd' | 'scalar' | 'debug';
/** A concrete build. */
export type BuildFlavour = Exclude<KernelFlavour, 'auto'>;

/** One build: its URL (absolute, or relative to the page), its bytes, or a compiled module. */
export type KernelSource = string | URL | ArrayBuffer | ArrayBufferView<ArrayBuffer> | WebAssembly.Module;

/** Options of {@link instantiateKernel} and `Kernel.load`. */
export interface KernelLoadOptions {
  /** Which build (default 'auto'). */
  readonly flavour?: KernelFlavour;
  /**
   * Where the build comes from instead of the default next to this module: one source (then
   * `flavour` must say which build it is: 'simd' or 'scalar'), or one per build, e.g.
   * `{ simd: '/static/kernel-simd.wasm', scalar: '/static/kernel-scalar.wasm' }`.
   */
  readonly source?: KernelSource | Partial<Record<BuildFlavour, KernelSource>>;
}

const BUILDS: readonly BuildFlavour[] = ['simd', 'scalar', 'debug'];

/** Default builds, compiled once per process (page). */
const compiled = new Map<BuildFlavour, Promise<WebAssembly.Module>>();

interface NodeFs {
  readFile(path: URL): Promise<Uint8Array>;
}

function nodeFs(): NodeFs | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule('node:fs/promises') as NodeFs) : undefined;
}

function kernelError(flavour: BuildFlavour, where: string, why: string): ShardwireError {
  return new ShardwireError(
    'E_KERNEL',
    `cannot load the ${flavour} kernel from ${where} (${why}). ` +
      'From a checkout run `npm run asbuild`; in a browser serve ' +
      `kernel-${flavour}.wasm at that URL or pass Kernel.load({ source })`,
    { flavour, url: where },
  );
}

function isSource(s: unknown): s is KernelSource {
  return (
    typeof s === 'string' ||
    s instanceof URL ||
    s instanceof ArrayBuffer ||
    ArrayBuffer.isView(s) ||
    s instanceof WebAssembly.Module
  );
}

/** Compiles a module from a URL: disk for `file:` on Node, else fetch + compile while streaming. */
async function compileUrl(flavour: BuildFlavour, url: URL): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    if (url.protocol === 'file:') {
      const fs = nodeFs();
      if (!fs) throw new Error('file: URLs need Node ≥ 20.16');
      return await compileBytes(flavour, url.href, new Uint8Array(await fs.readFile(url)));
    }
    response = await fetch(url);
  } catch (e) {
    if (e instanceof ShardwireError) throw e;
    const code = (e as { code?: string }).code;
    throw kernelError(flavour, url.href, code ?? (e as Error).message);
  }
  if (!response.ok) throw kernelError(flavour, url.href, `HTTP ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  // Streaming compilation requires the application/wasm type; other servers still work, buffered.
  if (typeof WebAssembly.instantiateStreaming === 'function' && type.split(';')[0]!.trim() === 'application/wasm') {
    try {
      return (await WebAssembly.instantiateStreaming(response, {})).module;
    } catch (e) {
      throw engineError(flavour, url.href, e);
    }
  }
  return compileBytes(flavour, url.href, new Uint8Array(await response.arrayBuffer()));
}

function engineError(flavour: BuildFlavour, where: string, e: unknown): ShardwireError {
  return new ShardwireError(
    'E_KERNEL',
    `this engine cannot run the ${flavour} kernel from ${where} (${(e as Error).message})`,
    {
      flavour,
      url: where,
      compile: true,
    },
  );
}

async function compileBytes(flavour: BuildFlavour, where: string, bytes: BufferSource): Promise<WebAssembly.Module> {
  if (!WebAssembly.validate(bytes)) {
    throw new ShardwireError(
      'E_KERNEL',
      `this engine cannot run the ${flavour} kernel from ${where} (WebAssembly.validate failed)`,
      {
        flavour,
        url: where,
        compile: true,
      },
    );
  }
  return WebAssembly.compile(bytes);
}

function compileSource(flavour: BuildFlavour, source: KernelSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (typeof source === 'string' || source instanceof URL) {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    let url: URL;
    try {
      url = new URL(source, base);
    } catch {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"source" expected an absolute URL (or one relative to the page), got ${JSON.stringify(String(source))}`,
        {
          field: 'source',
        },
      );
    }
    return compileUrl(flavour, url);
  }
  return compileBytes(flavour, 'the bytes passed as source', source);
}

function compileDefault(flavour: BuildFlavour): Promise<WebAssembly.Module> {
  let p = compiled.get(flavour);
  if (!p) {
    p = compileUrl(flavour, defaultKernelUrl(flavour));
    p.catch(() => compiled.delete(flavour)); // a failed read may succeed after a rebuild
    compiled.set(flavour, p);
  }
  return p;
}

/** The source of each build the options name (undefined: the default location). */
function sourcesOf(o: KernelLoadOptions): Partial<Record<BuildFlavour, KernelSource>> | undefined {
  if (o.source === undefined) return undefined;
  if (isSource(o.source)) {
    const f = o.flavour ?? 'auto';
    if (f === 'auto') {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        "one \"source\" needs flavour 'simd' or 'scalar' to say which build it is; or pass source: { simd, scalar }",
        {
          field: 'flavour',
        },
      );
    }
    return { [f]: o.source };
  }
  if (typeof o.source !== 'object' || o.source === null) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      '"source" expected a URL, bytes, a WebAssembly.Module or { simd, scalar }',
      { field: 'source' },
    );
  }
  for (const [k, v] of Object.entries(o.source)) {
    if (!BUILDS.includes(k as BuildFlavour) || !isSource(v)) {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"source.${k}" expected a build name (simd, scalar, debug) with a URL, bytes or module`,
        {
          field: `source.${k}`,
        },
      );
    }
  }
  return o.source as Partial<Record<BuildFlavour, KernelSource>>;
}

function compileBuild(
  flavour: BuildFlavour,
  sources: Partial<Record<BuildFlavour, KernelSource>> | undefined,
): Promise<WebAssembly.Module> {
  if (sources === undefined) return compileDefault(flavour);
  const s = sources[flavour];
  if (s === undefined) {
    return Promise.reject(
      new ShardwireError('E_BAD_ARGUMENT', `no source given for the ${flavour} kernel; add source.${flavour}`, {
        field: 'source',
      }),
    );
  }
  return compileSource(flavour, s);
}

/** Compiles the best build for `auto`: SIMD unless this engine refuses to compile it. */
async function compileBest(o: KernelLoadOptions): Promise<{ module: WebAssembly.Module; flavour: BuildFlavour }> {
  const sources = sourcesOf(o);
  const wanted = o.flavour ?? 'auto';
  if (wanted !== 'auto') return { module: await compileBuild(wanted, sources), flavour: wanted };
  if (sources !== undefined && sources.simd === undefined)
    return { module: await compileBuild('scalar', sources), flavour: 'scalar' };
  try {
    return { module: await compileBuild('simd', sources), flavour: 'simd' };
  } catch (e) {
    // Only an engine without SIMD falls back; a missing file is reported as such.
    if (!(e instanceof ShardwireError && e.details.compile === true)) throw e;
    return { module: await compileBuild('scalar', sources), flavour: 'scalar' };
  }
}

/** Resolves `auto` to the best flavour this engine runs (default locations). */
export async function resolveFlavour(flavour: KernelFlavour): Promise<BuildFlavour> {
  return (await compileBest({ flavour })).flavour;
}

/**
 * Instantiates a fresh kernel (its own memory) and checks its ABI.
 * @throws {ShardwireError} E_KERNEL when the build cannot be read or fetched (the message names
 *   the URL), this engine cannot compile it, or it is of another ABI version; E_BAD_ARGUMENT for
 *   bad options.
 * @example const { exports, flavour } = await instantiateKernel({ source: { simd: '/wasm/kernel-simd.wasm' } })
 */
export async function instantiateKernel(
  options: KernelFlavour | KernelLoadOptions = 'auto',
): Promise<{ exports: KernelExports; flavour: BuildFlavour }> {
  const o: KernelLoadOptions = typeof options === 'string' ? { flavour: options } : options;
  if (typeof o !== 'object' || o === null)
    throw new ShardwireError('E_BAD_ARGUMENT', '"options" expected a flavour or { flavour, source }', {});
  if (o.flavour !== undefined && o.flavour !== 'auto' && !BUILDS.includes(o.flavour)) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"flavour" expected auto, simd, scalar or debug, got ${JSON.stringify(String(o.flavour))}`,
      {
        field: 'flavour',
      },
    );
  }
  const { module, flavour: resolved } = await compileBest(o);
  const instance = await WebAssembly.instantiate(module, {});
  const exports = instance.exports as unknown as KernelExports;
  for (const name of KERNEL_FUNCTIONS) {
    if (typeof (exports as unknown as Record<string, unknown>)[name] !== 'function') {
      throw new ShardwireError(
        'E_KERNEL',
        `kernel build ${resolved} lacks export ${name}; rebuild with \`npm run asbuild\``,
        {
          flavour: resolved,
          missing: name,
        },
      );
    }
  }
  const version = exports.abiVersion();
  if (version !== EXPECTED_ABI_VERSION) {
    throw new ShardwireError(
      'E_KERNEL',
      `kernel ABI version ${version}, expected ${EXPECTED_ABI_VERSION}; rebuild with \`npm run asbuild\``,
      {
        flavour: resolved,
        version,
      },
    );
  }
  return { exports, flavour: resolved };
}
