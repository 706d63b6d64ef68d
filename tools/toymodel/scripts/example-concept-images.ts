/**
 * Writes the example concept's five training pictures (the striped star at five places on five
 * backgrounds) as PNGs, ready for `perfusion train`:
 *   npm run example-concept-images -w @perfusion/toymodel -- --out DIR
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { writeExampleConceptImages } from '../src/concept/example-concept.js';
import { resolveUserPath } from '../src/user-path.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (values.out === undefined) {
  console.error('usage: npm run example-concept-images -w @perfusion/toymodel -- --out DIR');
  process.exit(2);
}
for (const file of writeExampleConceptImages(resolveUserPath(values.out))) console.log(file);
