import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodePng, type RgbImage } from '@perfusion/encoders';
import { startDemoServer, type DemoServer, type DemoServerOptions } from '../../src/index.js';
import { tinyModel } from './concepts.js';

/**
 * A demo server on a free port of 127.0.0.1 with a fresh concepts folder, serving the tiny test
 * model, or with `model: 'default'` the embedded default (toy) model.
 */
export async function startTestServer(
  options: DemoServerOptions = {},
  model: 'tiny' | 'default' = 'tiny',
): Promise<{ server: DemoServer; conceptsDir: string; stop: () => Promise<void> }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perfusion-demo-'));
  const conceptsDir = path.join(root, 'concepts');
  const server = await startDemoServer({ port: 0, conceptsDir, ...(model === 'tiny' && { modelDir: await tinyModel() }), ...options });
  return {
    server,
    conceptsDir,
    stop: async () => {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The image of a `data:image/png;base64,...` URL. */
export function decodeDataUrl(url: string): RgbImage {
  const prefix = 'data:image/png;base64,';
  if (!url.startsWith(prefix)) throw new Error(`not a PNG data URL: ${url.slice(0, 40)}`);
  return decodePng(Buffer.from(url.slice(prefix.length), 'base64'));
}

/** The JSON body and status of a request to the server. */
export async function api<T = unknown>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}
