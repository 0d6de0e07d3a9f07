/**
 * safetensors, the format PyTorch and Hugging Face use: an 8-byte little-endian header length N, N bytes
 * of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`,
 * then the raw little-endian data. The reader validates everything before touching the data and throws a
 * CheckpointError otherwise; it never evaluates anything. Pure (no file system): see files.ts for disk IO.
 */
import { DescendError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';

/** A malformed or unreadable checkpoint. */
export class CheckpointError extends DescendError {}

const CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const FROM_CODE: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32', BOOL: 'bool' };
const ITEM: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** The largest header the reader accepts (as the reference implementation: 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Encodes named tensors (and optional string metadata) as a safetensors byte buffer. Names are written in
 * sorted order; the header is padded with spaces to 8 bytes, as the reference writer does.
 * @example const bytes = serializeSafetensors({ weight: w, bias: b }, { epoch: '3' });
 */
export function serializeSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new CheckpointError(
          'serializeSafetensors',
          `metadata '${k}' must be a string, got ${typeof v}`,
        );
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const name of names) {
    const t = tensors[name];
    if (!(t instanceof Tensor))
      throw new CheckpointError('serializeSafetensors', `'${name}' is not a Tensor`);
    if (name === '__metadata__')
      throw new CheckpointError('serializeSafetensors', "'__metadata__' is reserved");
    const bytes = toBytes(t);
    header[name] = {
      dtype: CODES[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.length],
    };
    offset += bytes.length;
    parts.push(bytes);
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  while ((8 + enc.encode(json).length) % 8 !== 0) json += ' ';
  const head = enc.encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

function toBytes(t: Tensor): Uint8Array {
  const data = t.dataSync();
  const n = data.length;
  const out = new Uint8Array(n * ITEM[t.dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    if (t.dtype === 'float32') view.setFloat32(i * 4, data[i], true);
    else if (t.dtype === 'float64') view.setFloat64(i * 8, data[i], true);
    else if (t.dtype === 'int32') view.setInt32(i * 4, data[i], true);
    else view.setUint8(i, data[i] ? 1 : 0);
  }
  return out;
}

/** What a safetensors buffer holds. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function fail(msg: string): never {
  throw new CheckpointError('loadSafetensors', msg);
}

/**
 * Decodes a safetensors buffer, validating the header (size cap, UTF-8 JSON object, known dtypes,
 * integer shapes, offsets that match each tensor's size, do not overlap and cover the data exactly).
 * @example const { tensors, metadata } = parseSafetensors(bytes);
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) fail('expected a Uint8Array');
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    fail(`the header claims ${n} bytes, over the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length)
    fail(`the header claims ${headerLen} bytes but the file has only ${bytes.length - 8} after the length`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('the header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      fail(`entry '${name}' is not an object`);
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const extra = Object.keys(e).filter((k) => !['dtype', 'shape', 'data_offsets'].includes(k));
    if (extra.length) fail(`entry '${name}' has unknown fields ${extra.join(', ')}`);
    const dtype = typeof e.dtype === 'string' ? FROM_CODE[e.dtype] : undefined;
    if (!dtype)
      fail(
        `entry '${name}' has unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(FROM_CODE).join(', ')})`,
      );
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      fail(`entry '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      off.some((d) => !Number.isSafeInteger(d) || d < 0) ||
      off[0] > off[1]
    ) {
      fail(`entry '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    let count = 1;
    for (const d of shape) {
      count *= d;
      if (count > dataLen)
        fail(`entry '${name}' of shape ${JSON.stringify(shape)} is larger than the file's data`);
    }
    if (end - begin !== count * ITEM[dtype]) {
      fail(
        `entry '${name}': shape ${JSON.stringify(shape)} of ${e.dtype} needs ${count * ITEM[dtype]} bytes, data_offsets span ${end - begin}`,
      );
    }
    if (end > dataLen) fail(`entry '${name}' ends at byte ${end}, past the ${dataLen} bytes of data`);
    entries.push({ name, dtype, shape, begin, end });
  }
  // The entries must tile the data exactly: no gaps, no overlaps, nothing left over.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin !== pos)
      fail(
        `entry '${e.name}' starts at byte ${e.begin}; expected ${pos} (gaps and overlaps are not allowed)`,
      );
    pos = e.end;
  }
  if (pos !== dataLen) fail(`the entries cover ${pos} bytes of data but the file has ${dataLen}`);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + dataStart + e.begin, e.end - e.begin);
    const count = (e.end - e.begin) / ITEM[e.dtype];
    // Typed arrays, not number[]: a 10M-element tensor loads in milliseconds.
    let vals: Float32Array | Float64Array | Int32Array | Uint8Array;
    if (e.dtype === 'float32') {
      vals = new Float32Array(count);
      for (let i = 0; i < count; i++) vals[i] = dv.getFloat32(i * 4, true);
    } else if (e.dtype === 'float64') {
      vals = new Float64Array(count);
      for (let i = 0; i < count; i++) vals[i] = dv.getFloat64(i * 8, true);
    } else if (e.dtype === 'int32') {
      vals = new Int32Array(count);
      for (let i = 0; i < count; i++) vals[i] = dv.getInt32(i * 4, true);
    } else {
      vals = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const b = dv.getUint8(i);
        if (b > 1) fail(`entry '${e.name}' is BOOL but holds the byte ${b} at element ${i}`);
        vals[i] = b;
      }
    }
    tensors[e.name] = tensor(vals, { dtype: e.dtype }).reshape(e.shape);
  }
  return { tensors, metadata };
}
