import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

/** A file an export wrote: its name (relative to the export's folder), size and SHA-256 (hex). */
export interface WrittenFile {
  name: string;
  bytes: number;
  sha256: string;
}

// Strings are gathered into chunks of this size before they reach the stream: one write call per
// few hundred rows instead of one per row is most of the difference to a bare loop.
const CHUNK = 256 * 1024;

/**
 * A file written in order with backpressure: `write` returns a promise only when the stream's
 * buffer is full, and the caller awaits it before producing more, so memory stays flat however
 * large the file. Hashes and counts bytes as they pass. Writes to `<path>.part`; `close` renames.
 */
export class FileOut {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingLength = 0;
  private failure: Error | undefined;
  bytes = 0;

  constructor(
    readonly name: string,
    readonly path: string,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    // A deep buffer lets the disk write one chunk while the next is being made; with the default
    // 16 KB every 256 KB chunk would wait for the disk (half the time of a JSONL export, measured).
    this.stream = createWriteStream(`${path}.part`, { highWaterMark: 1024 * 1024 });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Appends text (UTF-8) or bytes. Await the result when it is a promise: that is the backpressure. */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (typeof chunk === 'string') {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      return this.pendingLength >= CHUNK ? this.flushText() : undefined;
    }
    const text = this.pendingLength ? this.flushText() : undefined;
    const bytes = this.push(chunk);
    return text ?? bytes;
  }

  private flushText(): Promise<void> | undefined {
    const buffer = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    return this.push(buffer);
  }

  private push(bytes: Uint8Array): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (bytes.length === 0) return undefined;
    this.hash.update(bytes);
    this.bytes += bytes.length;
    if (this.stream.write(bytes)) return undefined;
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', done);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      this.stream.once('drain', onDrain);
      this.stream.once('error', done);
    });
  }

  /** Flushes, closes and renames `<path>.part` to `path`. */
  async close(): Promise<WrittenFile> {
    if (this.pendingLength) await this.flushText();
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
    renameSync(`${this.path}.part`, this.path);
    return { name: this.name, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Stops writing and removes the partial file. */
  abort(): void {
    this.stream.destroy();
    rmSync(`${this.path}.part`, { force: true });
  }
}

/**
 * Where an export's files go. `open` hands out files by their format name
 * (`export.jsonl`, `data/train-00000-of-00001.parquet`); `scratch` is a folder for temporary files.
 */
export interface ExportTarget {
  open(name: string): FileOut;
  readonly scratch: string;
}

/** Files under one folder, by name: the service's `${DATA_DIR}/exports/<id>/`. */
export function folderTarget(dir: string): ExportTarget & { opened: FileOut[] } {
  mkdirSync(dir, { recursive: true });
  const opened: FileOut[] = [];
  return {
    opened,
    scratch: dir,
    open(name) {
      const file = new FileOut(name, join(dir, name));
      opened.push(file);
      return file;
    },
  };
}

/**
 * The command line's target: a single-file format goes to `out` itself; a multi-file one
 * (hf_dataset) to files under the folder `out`.
 */
export function pathTarget(out: string, singleFile: boolean): ExportTarget & { opened: FileOut[] } {
  if (!singleFile) return folderTarget(out);
  const opened: FileOut[] = [];
  mkdirSync(dirname(out), { recursive: true });
  return {
    opened,
    scratch: dirname(out),
    open(name) {
      const file = new FileOut(name, out);
      opened.push(file);
      return file;
    },
  };
}
