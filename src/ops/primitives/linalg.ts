/** Batched matrix multiply: the one linear-algebra primitive; matmul's variants are built on it. */
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fromStorage } from '../core.js';
import { permute } from './shape.js';

function mT(x: Tensor): Tensor {
  return permute(x, [0, 2, 1]);
}

/** [B, m, k] @ [B, k, n] -> [B, m, n]. */
export const bmmPrim: Primitive<undefined> = definePrimitive<undefined>({
  name: 'matmul',
  forward: ([a, b]) => {
    const [B, m, k] = a.shape;
    const n = b.shape[2];
    return fromStorage(a.backend.matmul(a._storage, b._storage, B, m, k, n), [B, m, n]);
  },
  vjp: (g, { inputs: [a, b] }) => [bmmPrim([g, mT(b)], undefined), bmmPrim([mT(a), g], undefined)],
  saves: { inputs: [0, 1] },
});
