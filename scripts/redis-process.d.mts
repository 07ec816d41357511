import type { ChildProcess } from 'node:child_process';
export function requireRedis(): void;
export function startRedisServer(port: number, dir: string): Promise<ChildProcess>;
