import type { ChildProcess } from 'node:child_process';
export function freePort(): Promise<number>;
export function startRelayProcess(flags: string[], o?: { port?: number; nodeArgs?: string[]; timeoutMs?: number }): Promise<{ child: ChildProcess; url: string; port: number }>;
