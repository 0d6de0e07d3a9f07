import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { type DType, Tensor, tensor, withBackend } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Loads a reference file copied from ../shared/reference into test/fixtures. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8')) as T;
}

export type Num = number | 'NaN' | 'Infinity' | '-Infinity';
export interface Encoded {
  shape: number[];
  data: Num[];
  dtype?: string;
  requires_grad?: boolean;
}

export function decodeNum(v: Num): number {
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v;
}

/** A fixture tensor as a descend tensor: int64 becomes int32, floats take `floatDtype`. */
export function decode(e: Encoded, floatDtype: DType = 'float64'): Tensor {
  const isInt = e.dtype !== undefined && e.dtype.startsWith('int');
  const isBool = e.dtype === 'bool';
  const t = tensor(e.data.map(decodeNum), { dtype: isInt ? 'int32' : isBool ? 'bool' : floatDtype });
  return t.reshape(e.shape);
}

/**
 * Asserts |actual - expected| <= atol + rtol |expected| elementwise and equal shapes; the message names
 * the worst element. NaN matches only NaN and Inf only the same Inf.
 */
export function assertClose(
  actual: Tensor,
  expected: Encoded | Tensor | number[],
  rtol: number,
  atol: number,
  what = '',
): void {
  const exp = Array.isArray(expected)
    ? { shape: [expected.length], data: expected }
    : !(expected instanceof Tensor)
      ? { shape: expected.shape, data: expected.data.map(decodeNum) }
      : { shape: [...expected.shape], data: Array.from(expected.dataSync()) };
  const shapeOk =
    actual.shape.length === exp.shape.length && actual.shape.every((d, i) => d === exp.shape[i]);
  if (!shapeOk)
    throw new Error(`${what}: shape [${actual.shape.join(', ')}] != expected [${exp.shape.join(', ')}]`);
  const a = actual.dataSync();
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const e = exp.data[i] as number;
    const x = a[i];
    let bad: number;
    if (Number.isNaN(e) || Number.isNaN(x)) bad = Number.isNaN(e) && Number.isNaN(x) ? 0 : Infinity;
    else if (!Number.isFinite(e) || !Number.isFinite(x)) bad = e === x ? 0 : Infinity;
    else bad = Math.abs(x - e) - (atol + rtol * Math.abs(e));
    if (bad > worstExcess) {
      worstExcess = bad;
      worst = i;
    }
  }
  if (worst >= 0) {
    const e = exp.data[worst] as number;
    throw new Error(
      `${what}: element ${worst} is ${a[worst]}, expected ${e} (|diff| ${Math.abs(a[worst] - e)}, rtol ${rtol}, atol ${atol})`,
    );
  }
}

/** assertClose for a tensor on a device backend (WebGPU): reads it asynchronously, then compares. */
export async function assertCloseAsync(
  actual: Tensor,
  expected: Encoded | Tensor | number[],
  rtol: number,
  atol: number,
  what = '',
): Promise<void> {
  const values = Array.from(await actual.data());
  const host = withBackend('js', () => tensor(values, { dtype: 'float64' }).reshape([...actual.shape]));
  assertClose(host, expected, rtol, atol, what);
}
