/**
 * @module relay/pre-auth-gate
 * Admission control for connections that have not authenticated yet, kept apart from the cap on
 * authenticated connections (`maxConnections`): before, 300 half-open sockets filled a 300-slot
 * relay and locked every honest peer out. Every accepted TCP socket is pending here until it
 * authenticates or closes:
 * - at most `maxPreAuthPerIp` pending sockets per address (more are destroyed at once);
 * - at most `maxPreAuth` pending in all; a new one evicts the oldest pending socket, so a flood
 *   from many addresses delays honest handshakes (which take milliseconds) but cannot block them;
 * - a pending socket is destroyed `authTimeoutMs` (+ a grace second, so that an upgraded peer
 *   first hears the E_AUTH frame of its connection's own timer) after it was accepted, whether or
 *   not it ever sent an HTTP request.
 */
import type { Socket } from 'node:net';

interface Pending {
  readonly ip: string;
  readonly timer: NodeJS.Timeout;
}

/** Why the gate closed a socket. */
export type GateReason = 'per-ip' | 'evicted' | 'timeout';

/** Limits of the gate (from the relay options). */
export interface GateLimits {
  readonly maxPreAuth: number;
  readonly maxPreAuthPerIp: number;
  readonly authTimeoutMs: number;
}

const GRACE_MS = 1000;

/** Tracks unauthenticated sockets; one per relay. */
export class PreAuthGate {
  private readonly pending = new Map<Socket, Pending>();
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly limits: GateLimits,
    private readonly onClose: (reason: GateReason) => void,
  ) {}

  /** Unauthenticated sockets held now. */
  get size(): number {
    return this.pending.size;
  }

  /** Pending sockets from `ip`. */
  countFrom(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** A socket was accepted: admit it as pending, or destroy it. */
  enter(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    if (this.countFrom(ip) >= this.limits.maxPreAuthPerIp) {
      this.onClose('per-ip');
      socket.destroy();
      return;
    }
    if (this.pending.size >= this.limits.maxPreAuth) {
      const oldest = this.pending.keys().next().value as Socket;
      this.leave(oldest);
      this.onClose('evicted');
      oldest.destroy();
    }
    const timer = setTimeout(() => {
      if (!this.pending.has(socket)) return;
      this.leave(socket);
      this.onClose('timeout');
      socket.destroy();
    }, this.limits.authTimeoutMs + GRACE_MS);
    timer.unref();
    this.pending.set(socket, { ip, timer });
    this.perIp.set(ip, this.countFrom(ip) + 1);
    socket.once('close', () => this.leave(socket));
  }

  /** The socket authenticated or closed: it no longer counts (idempotent). */
  leave(socket: Socket): void {
    const p = this.pending.get(socket);
    if (!p) return;
    this.pending.delete(socket);
    clearTimeout(p.timer);
    const n = this.countFrom(p.ip) - 1;
    if (n <= 0) this.perIp.delete(p.ip);
    else this.perIp.set(p.ip, n);
  }

  /** Clears every timer (relay shutdown). */
  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.perIp.clear();
  }
}
