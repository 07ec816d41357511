/**
 * @module client/ledger-store
 * Where a participant's privacy ledger (client/privacy-ledger.ts) is kept: a file on Node
 * (`ledgerPath`, replaced atomically on every change), any storage the application brings
 * (`ledgerStore`: browsers can use IndexedDB or localStorage), or memory. The store holds the
 * ledger's text only; integrity is the ledger's (a keyed hash under the participant's identity),
 * so a store needs no protection of its own beyond keeping what it was given.
 */
import { ShardwireError } from '../errors.ts';
import { readFileIfAny, writeFileAtomic } from '../coordinator/node-files.ts';

/**
 * A place for the ledger's text. `load` resolves with what the last `save` stored (undefined
 * before the first); `save` must resolve only once the text is durable, since the ledger records a
 * round before the partial is sent.
 * @example // a browser
 * const ledgerStore = { load: async () => localStorage.getItem('ledger:study-7') ?? undefined, save: async (t) => localStorage.setItem('ledger:study-7', t) }
 */
export interface LedgerStore {
  load(): Promise<string | undefined>;
  save(text: string): Promise<void>;
}

/** A ledger store with where it keeps the text (for messages) and whether it outlives the process. */
export interface ResolvedLedgerStore extends LedgerStore {
  readonly where: string;
  readonly persistent: boolean;
}

/** The ledger in a file (Node ≥ 20.16; E_UNSUPPORTED elsewhere). */
export function fileLedgerStore(path: string): ResolvedLedgerStore {
  if (typeof path !== 'string' || path.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"ledgerPath" expected a file path', { field: 'ledgerPath' });
  return {
    where: path,
    persistent: true,
    load: () => readFileIfAny('ledgerPath', path),
    save: (text) => writeFileAtomic('ledgerPath', path, text),
  };
}

/** The ledger in memory only: it starts at zero again when the process restarts. */
export function memoryLedgerStore(): ResolvedLedgerStore {
  let text: string | undefined;
  return { where: 'memory', persistent: false, load: async () => text, save: async (t) => void (text = t) };
}

/** An application's store, checked for shape. */
export function customLedgerStore(store: unknown): ResolvedLedgerStore {
  const s = store as Partial<LedgerStore> | null;
  if (typeof s !== 'object' || s === null || typeof s.load !== 'function' || typeof s.save !== 'function') {
    throw new ShardwireError('E_BAD_ARGUMENT', '"ledgerStore" expected an object with load() and save(text) methods', { field: 'ledgerStore' });
  }
  return { where: 'ledgerStore', persistent: true, load: () => s.load!.call(s), save: (t) => s.save!.call(s, t) };
}
