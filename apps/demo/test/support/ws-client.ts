import WebSocket from 'ws';
import type { ServerMessage } from '../../src/index.js';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/**
 * A WebSocket client of `/api/generate` for the tests. Every message is kept in {@link received};
 * {@link until} reads them in order, like a cursor, waiting for the ones not yet here.
 */
export class TestClient {
  readonly received: ServerMessage[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  private closed = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as ServerMessage);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  /** Opens `ws://…/api/generate` of the server at `url`. */
  static async connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/generate`, { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new TestClient(socket);
  }

  /** Sends a message (an object as JSON, a string as it is). */
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /**
   * The next message of type `type` after the ones already read (skipping others). Rejects when an
   * `error` message comes first (unless `type` is 'error') or the connection closes.
   */
  async until<T extends ServerMessage['type']>(type: T): Promise<Of<T>> {
    for (;;) {
      while (this.cursor < this.received.length) {
        const message = this.received[this.cursor++]!;
        if (message.type === type) return message as Of<T>;
        if (message.type === 'error') throw new Error(`expected "${type}", got error ${message.code}: ${message.message}`);
      }
      if (this.closed) throw new Error(`the connection closed before a "${type}" message`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Messages of one type received so far. */
  all<T extends ServerMessage['type']>(type: T): Of<T>[] {
    return this.received.filter((m): m is Of<T> => m.type === type);
  }

  /** Closes the connection and waits until it is closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.close();
    await closed;
  }
}
