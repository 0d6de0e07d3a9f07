import type { Backend, Storage } from '../backends/backend.js';
import { physicalOf } from '../autograd/levels.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { type DType, getDefaultDtype, isFloat, promoteTypes } from '../tensor/dtype.js';
import { fmtShape, type Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A tensor or a plain number (numbers take the dtype of the tensor they meet, as in PyTorch). */
export type TensorLike = Tensor | number;

/** Wraps backend storage as a fresh tensor without history. */
export function fromStorage(s: Storage, shape: Shape): Tensor {
  return new Tensor(s, shape);
}

export function scalarOf(value: number, dtype: DType, backend: Backend): Tensor {
  return fromStorage(backend.full(dtype, 1, value), []);
}

export function checkTensor(op: string, arg: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(op, `${arg} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
  return x;
}

export function checkFloat(op: string, arg: string, x: Tensor): void {
  if (!isFloat(x.dtype)) {
    throw new DTypeError(
      op,
      `${arg} must be a floating-point tensor, got ${x.dtype} of shape ${fmtShape(x.shape)}`,
    );
  }
}

/** Integer and bool tensors become the default float dtype before float math (torch.exp(int) is float). */
export function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : x.to(getDefaultDtype());
}

function numberDtype(v: number, other: DType): DType {
  if (isFloat(other)) return other;
  if (Number.isInteger(v)) return 'int32';
  return getDefaultDtype();
}

/**
 * Turns a binary op's arguments into two tensors of one dtype, per the promotion rules in
 * `promoteTypes` (float32 with float64 is refused). Booleans become int32 for arithmetic.
 */
export function binaryOperands(
  op: string,
  a: TensorLike,
  b: TensorLike,
  opts: { arithmetic: boolean; aName?: string; bName?: string } = { arithmetic: true },
): [Tensor, Tensor] {
  const aName = opts.aName ?? 'a';
  const bName = opts.bName ?? 'b';
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new ValueError(op, `at least one of ${aName} and ${bName} must be a Tensor`);
  }
  if (a instanceof Tensor && b instanceof Tensor && a.backend !== b.backend) {
    throw new ValueError(
      op,
      `${aName} is on backend '${a.backend.name}' but ${bName} is on '${b.backend.name}'`,
    );
  }
  for (const [v, n] of [
    [a, aName],
    [b, bName],
  ] as const) {
    if (!(v instanceof Tensor) && typeof v !== 'number') {
      throw new ValueError(op, `${n} must be a Tensor or a number, got ${v === null ? 'null' : typeof v}`);
    }
  }
  let ta: Tensor;
  let tb: Tensor;
  if (a instanceof Tensor && b instanceof Tensor) {
    ta = a;
    tb = b;
  } else if (a instanceof Tensor) {
    ta = a;
    tb = scalarOf(b as number, numberDtype(b as number, a.dtype), a.backend);
  } else {
    tb = b as Tensor;
    ta = scalarOf(a, numberDtype(a, tb.dtype), tb.backend);
  }
  // Shapes are formatted only when dtypes differ: this runs on every binary op.
  let dtype =
    ta.dtype === tb.dtype
      ? ta.dtype
      : promoteTypes(
          op,
          ta.dtype,
          tb.dtype,
          `${aName} (shape ${fmtShape(ta.shape)})`,
          `${bName} (shape ${fmtShape(tb.shape)})`,
        );
  if (opts.arithmetic && dtype === 'bool') dtype = 'int32';
  if (ta.dtype !== dtype) ta = ta.to(dtype);
  if (tb.dtype !== dtype) tb = tb.to(dtype);
  return [ta, tb];
}

export function checkIndexTensor(op: string, arg: string, idx: unknown): Tensor {
  const t = checkTensor(op, arg, idx);
  if (t.dtype !== 'int32') {
    throw new DTypeError(
      op,
      `${arg} must be an int32 tensor of indices, got ${t.dtype} of shape ${fmtShape(t.shape)}`,
    );
  }
  return t;
}

/**
 * Every index in [0, size) (or equal to `ignore`): negative indices are refused, as PyTorch refuses them
 * in gather, index_select, embedding and the class losses, instead of wrapping around.
 */
export function checkIndexRange(
  op: string,
  arg: string,
  idx: Tensor,
  size: number,
  what = 'indices',
  ignore?: number,
): void {
  const error = (i: number, v: number) => {
    const also = ignore === undefined ? '' : ` (or ignoreIndex ${ignore})`;
    return new ValueError(
      op,
      `${arg} holds ${v} at flat position ${i}; ${what} must be in [0, ${size})${also}`,
    );
  };
  // Inside vmap the check covers every example: the physical values, batch dims included.
  const phys = physicalOf(idx);
  // A device backend checks on the device, and the next read throws: a step never waits on a read.
  if (phys.backend.checkIndices) return phys.backend.checkIndices(phys._storage, size, ignore, error);
  const data = phys.dataSync();
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if ((v < 0 || v >= size) && v !== ignore) throw error(i, v);
  }
}

export function checkBoolTensor(op: string, arg: string, m: unknown): Tensor {
  const t = checkTensor(op, arg, m);
  if (t.dtype !== 'bool') {
    throw new DTypeError(op, `${arg} must be a bool tensor, got ${t.dtype} of shape ${fmtShape(t.shape)}`);
  }
  return t;
}

export function checkSameShape(op: string, a: Tensor, b: Tensor, aName: string, bName: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(
      op,
      `${aName} has shape ${fmtShape(a.shape)} but ${bName} has shape ${fmtShape(b.shape)}; they must be equal`,
    );
  }
}

/** All float arguments of an op must share one dtype; names each argument's dtype and shape otherwise. */
export function checkSameFloatDtype(op: string, args: Record<string, Tensor | null | undefined>): void {
  const present = Object.entries(args).filter(
    (e): e is [string, Tensor] => e[1] instanceof Tensor && isFloat(e[1].dtype),
  );
  const first = present[0];
  for (const [name, t] of present) {
    if (t.dtype !== first[1].dtype) {
      throw new DTypeError(
        op,
        `cannot mix dtypes: ${first[0]} is ${first[1].dtype} of shape ${fmtShape(first[1].shape)} but ${name} is ${t.dtype} of shape ${fmtShape(t.shape)}`,
      );
    }
  }
}
