// A ZIP archive written as it is made, one entry after another, compressed by node:zlib (native, and
// off the event loop in libuv's threads) with CRCs from zlib.crc32: the container XLSX needs, for files
// of any length in constant memory (docs/decisions/108). Sizes and offsets are 32-bit (no ZIP64):
// entries and archives stay under 4 GB (one XLSX sheet of 1,048,576 rows is about 1 GB of XML).
import { constants, crc32, createDeflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';
import { once } from 'node:events';

const LIMIT = 0xffffffff;
const UTF8_AND_DESCRIPTOR = 0x0808;
const DEFLATE = 8;

interface Entry {
  name: Buffer;
  offset: number;
  crc: number;
  compressed: number;
  size: number;
}

/** MS-DOS time and date of an instant (local wall clock of the server, as zip tools show it). */
function dosTime(d: Date): [number, number] {
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1);
  const date = ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  return [time, date];
}

/** Writes a ZIP archive: `open` an entry, `write` its bytes (awaiting backpressure), `close` it; `end` once. */
export class ZipStreamWriter {
  readonly #out: (chunk: Uint8Array) => void;
  readonly #level: number;
  readonly #time: number;
  readonly #date: number;
  #offset = 0;
  #entries: Entry[] = [];
  #current: { entry: Entry; deflate: DeflateRaw; done: Promise<unknown> } | null = null;

  constructor(out: (chunk: Uint8Array) => void, opts: { level?: number; now?: Date } = {}) {
    this.#out = out;
    this.#level = opts.level ?? constants.Z_DEFAULT_COMPRESSION;
    [this.#time, this.#date] = dosTime(opts.now ?? new Date());
  }

  #emit(chunk: Uint8Array) {
    this.#offset += chunk.length;
    if (this.#offset > LIMIT) throw new Error('ZIP archive over 4 GB');
    this.#out(chunk);
  }

  #localHeader(entry: Entry) {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(UTF8_AND_DESCRIPTOR, 6);
    h.writeUInt16LE(DEFLATE, 8);
    h.writeUInt16LE(this.#time, 10);
    h.writeUInt16LE(this.#date, 12);
    // CRC and sizes follow the data (flag bit 3): they are not known before it is written.
    h.writeUInt16LE(entry.name.length, 26);
    this.#emit(h);
    this.#emit(entry.name);
  }

  #descriptor(entry: Entry) {
    if (entry.size > LIMIT || entry.compressed > LIMIT) throw new Error('ZIP entry over 4 GB');
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(entry.crc >>> 0, 4);
    d.writeUInt32LE(entry.compressed, 8);
    d.writeUInt32LE(entry.size, 12);
    this.#emit(d);
  }

  /** Starts an entry whose bytes come through `write`. */
  open(name: string): void {
    if (this.#current) throw new Error('a ZIP entry is still open');
    const entry: Entry = { name: Buffer.from(name), offset: this.#offset, crc: 0, compressed: 0, size: 0 };
    this.#entries.push(entry);
    this.#localHeader(entry);
    const deflate = createDeflateRaw({ level: this.#level });
    deflate.on('data', (c: Buffer) => {
      entry.compressed += c.length;
      // Thrown in an event handler this would end the process: the entry fails instead (close and
      // write reject with it).
      try {
        this.#emit(c);
      } catch (err) {
        deflate.destroy(err as Error);
      }
    });
    const done = once(deflate, 'end');
    // Awaited by close(); after destroy() nobody waits, and its rejection is no fault.
    done.catch(() => {});
    this.#current = { entry, deflate, done };
  }

  /** Adds bytes to the open entry; resolves when the compressor can take more. */
  async write(bytes: Uint8Array): Promise<void> {
    const cur = this.#current;
    if (!cur) throw new Error('no ZIP entry is open');
    cur.entry.crc = crc32(bytes, cur.entry.crc);
    cur.entry.size += bytes.length;
    if (!cur.deflate.write(bytes)) await once(cur.deflate, 'drain');
  }

  /** Finishes the open entry (its last compressed bytes and its descriptor). */
  async close(): Promise<void> {
    const cur = this.#current;
    if (!cur) return;
    cur.deflate.end();
    await cur.done;
    this.#current = null;
    this.#descriptor(cur.entry);
  }

  /** A small entry compressed at once. */
  async add(name: string, bytes: Uint8Array): Promise<void> {
    if (this.#current) throw new Error('a ZIP entry is still open');
    const entry: Entry = { name: Buffer.from(name), offset: this.#offset, crc: crc32(bytes), compressed: 0, size: bytes.length };
    this.#entries.push(entry);
    this.#localHeader(entry);
    const data = deflateRawSync(bytes, { level: this.#level });
    entry.compressed = data.length;
    this.#emit(data);
    this.#descriptor(entry);
  }

  /** Writes the central directory: the archive is complete. */
  async end(): Promise<void> {
    await this.close();
    const start = this.#offset;
    for (const e of this.#entries) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(UTF8_AND_DESCRIPTOR, 8);
      c.writeUInt16LE(DEFLATE, 10);
      c.writeUInt16LE(this.#time, 12);
      c.writeUInt16LE(this.#date, 14);
      c.writeUInt32LE(e.crc >>> 0, 16);
      c.writeUInt32LE(e.compressed, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      this.#emit(c);
      this.#emit(e.name);
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(this.#entries.length, 8);
    eocd.writeUInt16LE(this.#entries.length, 10);
    eocd.writeUInt32LE(this.#offset - start, 12);
    eocd.writeUInt32LE(start, 16);
    this.#emit(eocd);
  }

  /** Stops the open compressor (the reader went away): nothing more is written. */
  destroy(): void {
    this.#current?.deflate.destroy();
    this.#current = null;
  }
}
