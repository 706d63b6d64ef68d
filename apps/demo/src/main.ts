import * as path from 'node:path';
import { parseDemoArgs, DEMO_USAGE } from './args.js';
import { DemoUsageError } from './errors.js';
import { DEFAULT_CONCEPTS_DIR, startDemoServer } from './server.js';

// Entry point of `npm run demo` (bin/perfusion-demo.mjs). Relative folders are taken from where
// the command was typed: npm runs workspace scripts in the package folder but keeps that in INIT_CWD.
const cwd = process.env['INIT_CWD'] ?? process.cwd();
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function main(): Promise<number> {
  let args: ReturnType<typeof parseDemoArgs>;
  try {
    args = parseDemoArgs(process.argv.slice(2), cwd);
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    process.stderr.write(`perfusion-demo: ${error.message}\n\n${DEMO_USAGE}`);
    return EXIT_USAGE;
  }
  if (args.help) {
    process.stdout.write(DEMO_USAGE);
    return 0;
  }

  let server: Awaited<ReturnType<typeof startDemoServer>>;
  try {
    server = await startDemoServer({
      ...args.options,
      conceptsDir: args.options.conceptsDir ?? path.resolve(cwd, DEFAULT_CONCEPTS_DIR),
    });
  } catch (error) {
    process.stderr.write(`perfusion-demo: ${(error as Error).message}\n`);
    return EXIT_FAILED;
  }
  process.stdout.write(`Perfusion demo on ${server.url} (model: ${server.model.dir}, concepts: ${server.conceptsDir})\n`);
  if (server.defaultModel !== undefined) {
    process.stdout.write(`No --model given: the embedded default model is ${server.defaultModel.description}; pass --model DIR for a Stable Diffusion 1.x ONNX export.\n`);
  }
  if (server.copiedExampleConcept !== undefined) {
    process.stdout.write(`Copied the default model's example concept into ${path.join(server.conceptsDir, server.copiedExampleConcept)}.\n`);
  }
  if (server.staleExampleConcept !== undefined) {
    process.stdout.write(`The earlier copy there could not be used with this model (made for weights since retrained); it is now ${path.join(server.conceptsDir, server.staleExampleConcept)}.\n`);
  }

  // Ctrl-C (or a SIGTERM) closes the connections, cancelling their generations, and ends the workers.
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

process.exitCode = await main();
