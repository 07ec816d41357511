import { test } from 'node:test';
import { backplaneConformance } from '../../../src/relay/backplane-conformance.ts';
import { MemoryBackplane } from '../../../src/relay/memory-backplane.ts';

for (const c of backplaneConformance(() => new MemoryBackplane())) test(`MemoryBackplane ${c.name}`, c.run);
