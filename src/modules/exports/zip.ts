import yazl from 'yazl';
import type { FileOut } from './output.ts';

// yazl 3.3.1 keeps its entries in `entries` with a `state`; 3 is FILE_DATA_DONE (index.js, Entry.*).
// Reading it is the only way to know how far the archive got, which backpressure needs.
const FILE_DATA_DONE = 3;
const BUFFERED_LIMIT = 4 * 1024 * 1024;

/**
 * A zip archive streamed into a file with backpressure: entries are small label files added from
 * memory; after every `flushEvery` entries, `add` waits until yazl has written them out, so memory
 * stays bounded by a page of entries (plus the central directory, a few dozen bytes per entry,
 * which every zip keeps until its end).
 */
export class ZipOut {
  private readonly zip = new yazl.ZipFile();
  private readonly done: Promise<void>;
  private sinceFlush = 0;
  // A fixed modification time keeps archives of the same data byte-identical (and their digests equal).
  private readonly mtime: Date;

  constructor(
    private readonly file: FileOut,
    now: number,
    private readonly flushEvery = 256,
  ) {
    this.mtime = new Date(now);
    const output = this.zip.outputStream;
    this.done = new Promise((resolve, reject) => {
      output.on('data', (chunk: Buffer) => {
        const wait = this.file.write(chunk);
        if (wait) {
          output.pause();
          wait.then(() => output.resume(), reject);
        }
      });
      output.on('end', resolve);
      output.on('error', reject);
      this.zip.on('error', reject);
    });
  }

  /** Adds one file; returns a promise to await when the archive should catch up first. */
  add(path: string, content: string): Promise<void> | undefined {
    this.zip.addBuffer(Buffer.from(content, 'utf8'), path, { mtime: this.mtime });
    if (++this.sinceFlush < this.flushEvery) return undefined;
    this.sinceFlush = 0;
    return this.caughtUp();
  }

  private async caughtUp(): Promise<void> {
    const entries = (this.zip as unknown as { entries: { state: number }[] }).entries;
    const output = this.zip.outputStream as unknown as { readableLength: number };
    while ((entries.length && entries[entries.length - 1].state < FILE_DATA_DONE) || output.readableLength > BUFFERED_LIMIT) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Writes the central directory and waits until the whole archive is in the file. */
  async end(): Promise<void> {
    this.zip.end();
    await this.done;
  }
}
