#!/usr/bin/env node
// The installed `berth` command: loads tsx, then the TypeScript entry.
import { register } from 'tsx/esm/api';
register();
await import('./berth.ts');
