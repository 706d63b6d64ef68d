import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporarySibling } from '@perfusion/tensor-core';
import { ExternalDataError } from '../errors.js';
import type { TensorProto } from '../gen/onnx_pb.js';
import { setExternalData } from './info.js';
import { normalizeLocation, resolveLocation } from './location.js';

/** Options of {@link ExternalDataWriter}. */
export interface ExternalDataWriterOptions {
  /**
   * Tensors at least this large start at a multiple of it (default 4096, a memory page), so that
   * readers can map them straight from the file. Smaller tensors are packed at 64-byte steps
   * instead, which keeps typed-array alignment without padding every bias to a page.
   */
  readonly alignment?: number;
}

const SMALL_TENSOR_ALIGNMENT = 64;

/**
 * Streams tensor payloads into one external-data file (`modelDir/fileName`, the layout optimum
 * uses for `model.onnx_data`) and turns each TensorProto into a reference to its bytes, so a
 * builder can write gigabytes of weights without holding them in memory.
 *
 * Bytes go to a temporary file next to the target with synchronous writes; {@link close} renames
 * it into place, so an interrupted build never leaves a partial weight file under the real name.
 * Write the model file after `close()`.
 */
export class ExternalDataWriter {
  /** The location stored in each tensor: `fileName` relative to the model folder, POSIX form. */
  readonly location: string;
  /** Absolute path of the final weight file. */
  readonly path: string;
  private readonly tempPath: string;
  private readonly alignment: number;
  private fd: number | undefined;
  private end = 0;

  constructor(modelDir: string, fileName: string, options: ExternalDataWriterOptions = {}) {
    this.location = normalizeLocation(fileName, `external-data file '${fileName}'`);
    this.path = resolveLocation(modelDir, this.location, `external-data file '${fileName}'`);
    this.alignment = options.alignment ?? 4096;
    if (!Number.isSafeInteger(this.alignment) || this.alignment < 1) {
      throw new ExternalDataError(`ExternalDataWriter alignment must be a positive integer, got ${this.alignment}`);
    }
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    this.tempPath = temporarySibling(this.path);
    this.fd = fs.openSync(this.tempPath, 'w');
  }

  /** Bytes in the file so far, padding included. */
  get size(): number {
    return this.end;
  }

  /**
   * Appends `bytes` (the tensor's little-endian payload) and makes `tensor` an EXTERNAL tensor
   * pointing at them; inline data fields are cleared. The caller sets name, dims and data_type.
   */
  append(tensor: TensorProto, bytes: Uint8Array): void {
    const step = bytes.length >= this.alignment ? this.alignment : SMALL_TENSOR_ALIGNMENT;
    this.write(tensor, [bytes], step);
  }

  /**
   * {@link append} for a payload produced in pieces, so not even one tensor needs to be whole in
   * memory. Its size is unknown up front, so it always starts at a full alignment boundary.
   */
  appendChunks(tensor: TensorProto, chunks: Iterable<Uint8Array>): void {
    this.write(tensor, chunks, this.alignment);
  }

  private write(tensor: TensorProto, chunks: Iterable<Uint8Array>, step: number): void {
    const fd = this.openFd(tensor);
    let position = Math.ceil(this.end / step) * step;
    const offset = position;
    for (const chunk of chunks) {
      writeFully(fd, chunk, position);
      position += chunk.length;
    }
    this.end = position;
    setExternalData(tensor, { location: this.location, offset, length: position - offset });
  }

  /** Finishes the file and moves it to its final name. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      // Padding is never written (it reads back as zeros); a trailing zero-length tensor may sit
      // past the last byte written, so extend the file to cover every recorded offset.
      fs.ftruncateSync(fd, this.end);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(this.tempPath, this.path);
  }

  /** Closes and deletes the unfinished file (use when the build fails). */
  abort(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.tempPath, { force: true });
  }

  private openFd(tensor: TensorProto): number {
    if (this.fd === undefined) {
      throw new ExternalDataError(
        `cannot append tensor '${tensor.name}' to ${this.path}: the ExternalDataWriter is already closed`,
      );
    }
    return this.fd;
  }
}

function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}
