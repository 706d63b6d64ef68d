#!/usr/bin/env node
// The perfusion command: src/bin.ts with tsx in a source checkout, dist/bin.js in a built copy.
import { launch } from '@perfusion/launcher';

await launch({ name: 'perfusion', source: new URL('../src/bin.ts', import.meta.url), built: new URL('../dist/bin.js', import.meta.url) });
