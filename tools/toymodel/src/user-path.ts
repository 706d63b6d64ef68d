import * as path from 'node:path';

/**
 * A path typed on a script's command line, made absolute against the folder the command was typed
 * in. `npm run <script> -w @perfusion/toymodel` runs the script in the package folder and keeps
 * the caller's folder in `INIT_CWD`; resolving against the process's own folder would turn
 * `--out docs/toy-model` typed at the repository root into `tools/toymodel/docs/toy-model`.
 */
export function resolveUserPath(typed: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return path.resolve(env['INIT_CWD'] ?? cwd, typed);
}
