#!/usr/bin/env node
// `npm run demo`: the demo server, src/main.ts with tsx in a source checkout, dist/main.js in a built copy.
import { launch } from '@perfusion/launcher';

await launch({ name: 'perfusion-demo', source: new URL('../src/main.ts', import.meta.url), built: new URL('../dist/main.js', import.meta.url) });
