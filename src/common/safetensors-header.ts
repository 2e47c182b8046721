// The safetensors header: an 8-byte little-endian length, then a JSON object
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}. Parsed here
// apart from the tensor data so that `plan` can read a weights file's shape (a few KB) without the
// training engine; src/train/safetensors.ts decodes the data after it.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export class SafetensorsError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "SafetensorsError";
  }
}

/** A header entry: a tensor's dtype, shape and byte range after the header. */
export interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** The largest header read: HF's own limit is 100 MB; a longer one is a damaged file, not a model. */
const MAX_HEADER_BYTES = 100_000_000;

/** Parse the JSON header that follows the 8-byte length; `size` is the whole file's (or buffer's) length. */
export function parseSafetensorsHeader(lengthBytes: Uint8Array, readHeader: (n: number) => Uint8Array, size: number, file: string): { entries: Map<string, HeaderEntry>; metadata: Record<string, string>; base: number } {
  if (size < 8) throw new SafetensorsError(file, "too short for a safetensors header");
  const n = Number(new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > size) throw new SafetensorsError(file, `header length ${n} runs past the end of the file (${size} bytes)`);
  if (n > MAX_HEADER_BYTES) throw new SafetensorsError(file, `header length ${n} is over ${MAX_HEADER_BYTES} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(readHeader(n)).toString("utf8"));
  } catch (e) {
    throw new SafetensorsError(file, `header is not JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw new SafetensorsError(file, "header is not a JSON object");
  const entries = new Map<string, HeaderEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as Partial<HeaderEntry> | null;
    const ok = e !== null && typeof e === "object" && typeof e.dtype === "string" && Array.isArray(e.shape) && e.shape.every((d) => Number.isSafeInteger(d) && d >= 0) && Array.isArray(e.data_offsets) && e.data_offsets.length === 2 && e.data_offsets.every((o) => Number.isSafeInteger(o) && o >= 0);
    if (!ok) throw new SafetensorsError(file, `tensor ${name}: not a {dtype, shape, data_offsets} entry`);
    entries.set(name, e as HeaderEntry);
  }
  return { entries, metadata, base: 8 + n };
}

/** The header of a safetensors file, read without its tensor data: names, shapes and metadata. */
export function readSafetensorsHeader(path: string): { entries: Map<string, HeaderEntry>; metadata: Record<string, string> } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const read = (n: number, at: number): Uint8Array => {
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const k = readSync(fd, buf, got, n - got, at + got);
        if (k === 0) throw new SafetensorsError(path, `ended after ${at + got} bytes while reading its header`);
        got += k;
      }
      return buf;
    };
    const { entries, metadata } = parseSafetensorsHeader(size >= 8 ? read(8, 0) : new Uint8Array(8), (n) => read(n, 8), size, path);
    return { entries, metadata };
  } finally {
    closeSync(fd);
  }
}

