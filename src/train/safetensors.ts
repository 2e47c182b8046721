// safetensors: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}, then raw
// little-endian tensor bytes. Reads F32/F16/BF16/F64 into Float32Array; writes F32. Writes are atomic.
import { readFileSync } from "node:fs";
import { parseSafetensorsHeader, SafetensorsError } from "../common/safetensors-header.js";

export { SafetensorsError };
import { writeFileAtomicSync } from "../common/atomic-write.js";

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Bytes of a safetensors file holding `tensors` (sorted by name) and string metadata. */
export function encodeSafetensors(tensors: Map<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const n of names) {
    const t = tensors.get(n)!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new SafetensorsError(n, `shape [${t.shape}] needs ${count} values, has ${t.data.length}`);
    header[n] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += " "; // align the data to 8 bytes, as HF does
  const head = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let pos = 8 + head.length;
  for (const n of names) {
    const { data } = tensors.get(n)!;
    const dv = new DataView(out.buffer, pos, data.length * 4);
    for (let i = 0; i < data.length; i++) dv.setFloat32(i * 4, data[i]!, true);
    pos += data.length * 4;
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Parse safetensors bytes; `file` names the source in errors. */
export function decodeSafetensors(bytes: Uint8Array, file = "<bytes>"): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  const { entries, metadata, base } = parseSafetensorsHeader(bytes.subarray(0, 8), (n) => bytes.subarray(8, 8 + n), bytes.length, file);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, { dtype, shape, data_offsets }] of entries) {
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = data_offsets;
    const width = { F32: 4, F16: 2, BF16: 2, F64: 8 }[dtype];
    if (!width) throw new SafetensorsError(file, `tensor ${name}: dtype ${dtype} is not supported (F32, F16, BF16, F64)`);
    if (end - begin !== count * width || base + end > bytes.length)
      throw new SafetensorsError(file, `tensor ${name}: data_offsets [${begin}, ${end}] do not match shape [${shape}] of ${dtype} or the file size`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + base + begin, end - begin);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      if (dtype === "F32") data[i] = dv.getFloat32(i * 4, true);
      else if (dtype === "F64") data[i] = dv.getFloat64(i * 8, true);
      else if (dtype === "F16") data[i] = halfToFloat(dv.getUint16(i * 2, true));
      else {
        const tmp = new DataView(new ArrayBuffer(4));
        tmp.setUint32(0, dv.getUint16(i * 2, true) << 16, true);
        data[i] = tmp.getFloat32(0, true);
      }
    }
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata };
}

export function writeSafetensors(path: string, tensors: Map<string, NamedTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomicSync(path, encodeSafetensors(tensors, metadata));
}

export function readSafetensors(path: string): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  return decodeSafetensors(new Uint8Array(readFileSync(path)), path);
}
