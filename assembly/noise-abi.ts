/**
 * The noise part of the WASM ABI (issue 3), re-exported by index.ts. Integers only; status codes
 * from status.ts. Kept in its own file so that the ABI has one owner per concern.
 */
