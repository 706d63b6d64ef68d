import { readFileSync } from 'node:fs';

/*
 * READMEs show examples that tests run. The test file holds the example between `// example:start`
 * and `// example:end` comments (its imports either between `// imports:start` / `// imports:end`
 * or as the file's `import … from '@perfusion/…'` lines, this package's own excepted); the README holds it as the ```ts block
 * between `<!-- NAME:start -->` and `<!-- NAME:end -->`. Comparing the two makes a README that
 * drifts from the code fail a test.
 */

/** The text between the first `start` marker and the next `end` marker. */
export function textBetween(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) throw new Error(`markers ${start} / ${end} not found`);
  return text.slice(from + start.length, to);
}

/** Removes blank edges and the common indentation of a block of lines. */
export function dedent(block: string): string {
  const lines = block.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.match(/^ */)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

// Built from pieces so that this file never contains the markers it looks for.
const marker = (name: string, edge: 'start' | 'end'): string => `// ${name}:${edge}`;

/** The example as a test file holds it: its imports, a blank line, then the example region. */
export function exampleInTest(testFile: string | URL): string {
  const source = readFileSync(testFile, 'utf8');
  const imports = source.includes(marker('imports', 'start'))
    ? dedent(textBetween(source, marker('imports', 'start'), marker('imports', 'end')))
    : source
        .split('\n')
        .filter((line) => /^import .* from '@perfusion\//.test(line) && !line.includes("'@perfusion/test-support'"))
        .join('\n');
  const region = dedent(textBetween(source, marker('example', 'start'), marker('example', 'end')));
  return `${imports}\n\n${region}`;
}

/** The ```ts block between `<!-- name:start -->` and `<!-- name:end -->` of a README. */
export function exampleInReadme(readme: string | URL, name = 'example'): string {
  const text = readFileSync(readme, 'utf8');
  return textBetween(textBetween(text, `<!-- ${name}:start -->`, `<!-- ${name}:end -->`), '```ts', '```').trim();
}
