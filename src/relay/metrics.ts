/**
 * @module relay/metrics
 * Relay counters and their Prometheus text exposition (format 0.0.4) for `GET /metrics`.
 */
import { RoundWatch } from './round-watch.ts';

/** Counters and gauges of one relay process. Gauges are read through callbacks at render time. */
export class RelayMetrics {
  connectionsTotal = 0;
  framesRouted = 0;
  bytesRouted = 0;
  heartbeatTimeouts = 0;
  readonly errors = new Map<string, number>();
  readonly authFailures = new Map<string, number>();
  readonly dropped = new Map<string, number>();
  /** Rounds in flight, from routed headers (for the dashboard). */
  readonly rounds = new RoundWatch();

  constructor(private readonly gauges: { connections: () => number; authenticated: () => number; sessions: () => number; bufferedBytes: () => number }) {}

  /** Counts one routed message frame of `bytes` bytes. */
  routed(header: { readonly session: string; readonly type: string; readonly memo?: string }, bytes: number): void {
    this.framesRouted++;
    this.bytesRouted += bytes;
    this.rounds.observe(header);
  }

  /** Counts one error frame (or close) sent to a peer, by code. */
  error(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Counts one failed authentication, by reason (bad-signature, unknown-session, ...). */
  authFailure(reason: string): void {
    this.authFailures.set(reason, (this.authFailures.get(reason) ?? 0) + 1);
  }

  /** Counts one frame the relay did not deliver, by reason (backpressure, rate, offline, ...). */
  drop(reason: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  /** Prometheus text format. */
  render(): string {
    const out: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, values: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of values) out.push(`${name}${labels} ${v}`);
    };
    const labelled = (label: string, m: Map<string, number>): [string, number][] => [...m].map(([k, v]) => [`{${label}="${k.replace(/["\\\n]/g, '_')}"}`, v]);
    metric('shardwire_relay_connections', 'gauge', 'Open WebSocket connections.', [['', this.gauges.connections()]]);
    metric('shardwire_relay_authenticated_connections', 'gauge', 'Connections that passed authentication.', [['', this.gauges.authenticated()]]);
    metric('shardwire_relay_sessions', 'gauge', 'Sessions known to this relay.', [['', this.gauges.sessions()]]);
    metric('shardwire_relay_buffered_bytes', 'gauge', 'Bytes queued to slow receivers.', [['', this.gauges.bufferedBytes()]]);
    metric('shardwire_relay_rounds_in_flight', 'gauge', 'Rounds seen opening and not yet ended (routed headers).', [['', this.rounds.inFlight().length]]);
    metric('shardwire_relay_connections_total', 'counter', 'Connections accepted.', [['', this.connectionsTotal]]);
    metric('shardwire_relay_frames_routed_total', 'counter', 'Message frames routed (once per frame, broadcast included).', [['', this.framesRouted]]);
    metric('shardwire_relay_bytes_routed_total', 'counter', 'Bytes of routed frames.', [['', this.bytesRouted]]);
    metric('shardwire_relay_heartbeat_timeouts_total', 'counter', 'Peers closed for missing heartbeats.', [['', this.heartbeatTimeouts]]);
    metric('shardwire_relay_errors_total', 'counter', 'Error frames sent to peers, by code.', labelled('code', this.errors));
    metric('shardwire_relay_auth_failures_total', 'counter', 'Failed authentications, by reason.', labelled('reason', this.authFailures));
    metric('shardwire_relay_frames_dropped_total', 'counter', 'Frames not delivered, by reason.', labelled('reason', this.dropped));
    return out.join('\n') + '\n';
  }
}
