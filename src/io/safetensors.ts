/**
 * safetensors, the format PyTorch and Hugging Face use: an 8-byte little-endian header length N, N bytes
 * of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }`,
 * then the raw little-endian data. The reader validates everything before touching the data and throws a
 * CheckpointError otherwise; it never evaluates anything. Pure (no file system): see files.ts for disk IO.
 */
import { CheckpointError, parseUntrustedJson, setOwn } from './untrusted.js';
import { clip } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { crc32 } from './crc32.js';

export { CheckpointError } from './untrusted.js';

const CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const FROM_CODE: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32', BOOL: 'bool' };
const ITEM: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** The largest header the reader accepts (as the reference implementation: 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export { MAX_JSON_DEPTH } from './untrusted.js';

/**
 * The metadata key holding a CRC-32 per tensor (over its data, dtype and shape) and one over the rest of
 * the metadata. Readers that do not know it ignore it; this reader verifies it and hides it.
 */
export const CHECKSUM_KEY = 'descend.crc32';

/**
 * The metadata key that marks a file descend wrote. A file with the marker must carry valid checksums;
 * a file without it (PyTorch's, say) loads as plain safetensors, unchecked beyond its structure.
 */
export const MARKER_KEY = 'descend.format';
const MARKER = 'safetensors-1';
const METADATA_CRC = '__metadata__';

const UTF8 = new TextEncoder();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function tensorCrc(bytes: Uint8Array, dtype: string, shape: readonly number[]): string {
  return crc32(UTF8.encode(`${dtype}${JSON.stringify(shape)}`), crc32(bytes))
    .toString(16)
    .padStart(8, '0');
}

function metadataCrc(metadata: Record<string, string>): string {
  const keys = Object.keys(metadata)
    .filter((k) => k !== CHECKSUM_KEY)
    .sort();
  const text = JSON.stringify(keys.map((k) => [k, metadata[k]]));
  return crc32(UTF8.encode(text)).toString(16).padStart(8, '0');
}

/**
 * The file as pieces: the length and header, then each tensor's bytes (a file of any size is written
 * without one buffer holding all of it).
 */
export function serializeSafetensorsParts(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array[] {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string')
      throw new CheckpointError(
        'serializeSafetensors',
        `metadata '${clip(k)}' must be a string, got ${typeof v}`,
      );
    if (k === CHECKSUM_KEY || k === MARKER_KEY)
      throw new CheckpointError('serializeSafetensors', `metadata key '${k}' is reserved`);
    setOwn(meta, k, v);
  }
  setOwn(meta, MARKER_KEY, MARKER);
  const sums: Record<string, string> = {};
  setOwn(sums, METADATA_CRC, metadataCrc(meta));
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const name of names) {
    const t = tensors[name];
    if (!(t instanceof Tensor))
      throw new CheckpointError('serializeSafetensors', `'${name}' is not a Tensor`);
    if (name === '__metadata__')
      throw new CheckpointError('serializeSafetensors', "'__metadata__' is reserved");
    const bytes = toBytes(t);
    setOwn(sums, name, tensorCrc(bytes, CODES[t.dtype], t.shape));
    setOwn(header, name, {
      dtype: CODES[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.length],
    });
    offset += bytes.length;
    parts.push(bytes);
  }
  setOwn(meta, CHECKSUM_KEY, JSON.stringify(sums));
  // __metadata__ first, as the reference writer does.
  const json = JSON.stringify({ __metadata__: meta, ...header });
  const pad = (8 - ((8 + UTF8.encode(json).length) % 8)) % 8;
  const head = UTF8.encode(json + ' '.repeat(pad));
  const prefix = new Uint8Array(8 + head.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(head.length), true);
  prefix.set(head, 8);
  return [prefix, ...parts];
}

/**
 * Encodes named tensors (and optional string metadata) as a safetensors byte buffer. Names are written in
 * sorted order; the header is padded with spaces to 8 bytes, as the reference writer does.
 * @example const bytes = serializeSafetensors({ weight: w, bias: b }, { epoch: '3' });
 */
export function serializeSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const parts = serializeSafetensorsParts(tensors, metadata);
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let p = 0;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

function toBytes(t: Tensor): Uint8Array {
  const data = t.dataSync();
  const n = data.length;
  const native =
    (t.dtype === 'float32' && data instanceof Float32Array) ||
    (t.dtype === 'float64' && data instanceof Float64Array) ||
    (t.dtype === 'int32' && data instanceof Int32Array);
  if (LITTLE_ENDIAN && native) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
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
 * @example
 * const bytes = serializeSafetensors({ w: tensor([1, 2]) }, { epoch: '3' });
 * const { tensors, metadata } = parseSafetensors(bytes);
 * metadata // { epoch: '3' }
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) fail('expected a Uint8Array');
  const headerLen = headerLength(bytes.subarray(0, 8), bytes.length);
  const header = parseHeader(bytes.subarray(8, 8 + headerLen), bytes.length - 8 - headerLen);
  const dataStart = 8 + headerLen;
  return decodeEntries(header, (begin, end) => bytes.subarray(dataStart + begin, dataStart + end));
}

/** The header's length from the file's first 8 bytes, checked against the limit and the file's size. */
export function headerLength(first8: Uint8Array, fileLength: number): number {
  if (fileLength < 8 || first8.length < 8)
    fail(`the file is ${fileLength} bytes, shorter than the 8-byte header length`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    fail(`the header claims ${clip(String(n))} bytes, over the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > fileLength)
    fail(`the header claims ${headerLen} bytes but the file has only ${fileLength - 8} after the length`);
  return headerLen;
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header: its entries (tiling the data exactly), metadata and checksums. */
export interface SafetensorsHeader {
  entries: Entry[];
  metadata: Record<string, string>;
  sums: Record<string, string> | null;
}

/**
 * Validates a header (the bytes after the length) for a file with `dataLen` bytes of data: UTF-8 JSON
 * object without repeated keys, known dtypes, integer shapes, offsets that match each tensor's size, do
 * not overlap and cover the data exactly, and checksums where descend's marker says there must be some.
 */
export function parseHeader(head: Uint8Array, dataLen: number): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    fail('the header is not valid UTF-8');
  }
  const header = parseUntrustedJson('loadSafetensors', text, 'header');
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('the header is not a JSON object');
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail('__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__ '${clip(k)}' is not a string`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    const at = `entry '${clip(name)}'`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${at} is not an object`);
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const extra = Object.keys(e).filter((k) => !['dtype', 'shape', 'data_offsets'].includes(k));
    if (extra.length) {
      // A flipped byte in '__metadata__' makes the metadata look like a tensor: say what it looks like.
      const meta = nearMetadataKey(name) ? ` (a damaged '__metadata__'?)` : '';
      fail(
        `the header is damaged: ${at}${meta} is not a tensor entry (its fields: ${clip(Object.keys(e).join(', '))}; a tensor entry has dtype, shape and data_offsets)`,
      );
    }
    const dtype =
      typeof e.dtype === 'string' && Object.hasOwn(FROM_CODE, e.dtype) ? FROM_CODE[e.dtype] : undefined;
    if (!dtype)
      fail(`${at} has unsupported dtype ${clip(e.dtype)} (supported: ${Object.keys(FROM_CODE).join(', ')})`);
    if (
      !Array.isArray(e.shape) ||
      e.shape.length > 64 ||
      e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)
    ) {
      fail(`${at} has an invalid shape ${clip(e.shape)}`);
    }
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      off.some((d) => !Number.isSafeInteger(d) || d < 0) ||
      off[0] > off[1]
    ) {
      fail(`${at} has invalid data_offsets ${clip(off)}`);
    }
    const [begin, end] = off as [number, number];
    let count = 1;
    for (const d of shape) {
      count *= d;
      if (count > dataLen) fail(`${at} of shape ${clip(shape)} is larger than the file's data`);
    }
    if (end - begin !== count * ITEM[dtype]) {
      fail(
        `${at}: shape ${clip(shape)} of ${e.dtype} needs ${count * ITEM[dtype]} bytes, data_offsets span ${end - begin}`,
      );
    }
    if (end > dataLen) fail(`${at} ends at byte ${end}, past the ${dataLen} bytes of data`);
    entries.push({ name, dtype, shape, begin, end });
  }
  // The entries must tile the data exactly: no gaps, no overlaps, nothing left over.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin !== pos)
      fail(
        `entry '${clip(e.name)}' starts at byte ${e.begin}; expected ${pos} (gaps and overlaps are not allowed)`,
      );
    pos = e.end;
  }
  if (pos !== dataLen) fail(`the entries cover ${pos} bytes of data but the file has ${dataLen}`);
  const sums = checksums(metadata, entries);
  return { entries, metadata, sums };
}

/** The tensors of a validated header, their bytes read by `read(begin, end)` (offsets into the data). */
export function decodeEntries(
  h: SafetensorsHeader,
  read: (begin: number, end: number) => Uint8Array,
): SafetensorsContents {
  const tensors: Record<string, Tensor> = {};
  for (const e of h.entries) {
    const raw = read(e.begin, e.end);
    if (h.sums && h.sums[e.name] !== tensorCrc(raw, CODES[e.dtype], e.shape))
      fail(`entry '${clip(e.name)}' fails its checksum: the file is damaged`);
    setOwn(tensors, e.name, tensor(fromBytes(raw, e.dtype, e.name), { dtype: e.dtype }).reshape(e.shape));
  }
  return { tensors, metadata: h.metadata };
}

/** The stored checksums (verified against the metadata and the tensor names), or null for files without. */
function checksums(
  metadata: Record<string, string>,
  entries: readonly { name: string }[],
): Record<string, string> | null {
  // Files descend wrote say so (its marker, or a checkpoint's format): their checksums are required.
  const marked = Object.hasOwn(metadata, MARKER_KEY) || /^descend-/.test(metadata.format ?? '');
  if (Object.hasOwn(metadata, MARKER_KEY)) {
    if (metadata[MARKER_KEY] !== MARKER)
      fail(`the '${MARKER_KEY}' metadata is ${clip(metadata[MARKER_KEY])}, expected '${MARKER}'`);
  }
  if (!Object.hasOwn(metadata, CHECKSUM_KEY)) {
    if (marked)
      fail(`the file is marked as descend's but has no '${CHECKSUM_KEY}' checksums: it was altered`);
    return null;
  }
  const sums = parseUntrustedJson('loadSafetensors', metadata[CHECKSUM_KEY], `'${CHECKSUM_KEY}' metadata`);
  delete metadata[CHECKSUM_KEY];
  if (typeof sums !== 'object' || sums === null || Array.isArray(sums))
    fail(`the '${CHECKSUM_KEY}' metadata is not an object`);
  const s = sums as Record<string, unknown>;
  const names = new Set([METADATA_CRC, ...entries.map((e) => e.name)]);
  for (const k of Object.keys(s)) {
    if (!names.has(k)) fail(`the checksums name '${clip(k)}', which the file does not hold`);
    if (typeof s[k] !== 'string') fail(`the checksum of '${clip(k)}' is not a string`);
  }
  for (const k of names) if (!Object.hasOwn(s, k)) fail(`the checksums miss '${clip(k)}'`);
  if (s[METADATA_CRC] !== metadataCrc(metadata)) fail('the metadata fails its checksum: the file is damaged');
  delete metadata[MARKER_KEY];
  return s as Record<string, string>;
}

/** Whether `name` is '__metadata__' with at most two characters changed (same length). */
function nearMetadataKey(name: string): boolean {
  if (name.length !== METADATA_CRC.length) return false;
  let diff = 0;
  for (let i = 0; i < name.length; i++) if (name[i] !== METADATA_CRC[i]) diff++;
  return diff <= 2;
}

function fromBytes(
  raw: Uint8Array,
  dtype: DType,
  name: string,
): Float32Array | Float64Array | Int32Array | Uint8Array {
  if (dtype === 'bool') {
    const vals = new Uint8Array(raw); // a copy (Buffer.slice would be a view)
    const bad = vals.findIndex((b) => b > 1);
    if (bad >= 0) fail(`entry '${clip(name)}' is BOOL but holds the byte ${vals[bad]} at element ${bad}`);
    return vals;
  }
  const item = ITEM[dtype];
  const count = raw.length / item;
  if (LITTLE_ENDIAN) {
    // One copy into an aligned buffer: a 10M-element tensor loads in milliseconds.
    const buf = new Uint8Array(raw).buffer; // a copy (Buffer.slice would be a view)
    return dtype === 'float32'
      ? new Float32Array(buf)
      : dtype === 'float64'
        ? new Float64Array(buf)
        : new Int32Array(buf);
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
  if (dtype === 'float32') return Float32Array.from({ length: count }, (_, i) => dv.getFloat32(i * 4, true));
  if (dtype === 'float64') return Float64Array.from({ length: count }, (_, i) => dv.getFloat64(i * 8, true));
  return Int32Array.from({ length: count }, (_, i) => dv.getInt32(i * 4, true));
}
