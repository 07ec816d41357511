/**
 * @module relay/session-key
 * Sessions are namespaced by the identity that created them: the relay keys a session by
 * `coordinatorId/name`, so anyone may open a session called "study-7" without taking that name
 * from anyone else (a squatter cannot lock the real coordinator out). Peers keep using the bare
 * name in headers; the key is what the backplane stores and routes by. `/` cannot occur in ids
 * or names (ID_PATTERN), so the key splits unambiguously.
 */

/** The backplane key of session `name` created by `coordinatorId`. */
export function sessionKey(coordinatorId: string, name: string): string {
  return `${coordinatorId}/${name}`;
}

/** The session name (what peers see in headers) of a backplane key. */
export function sessionName(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}
