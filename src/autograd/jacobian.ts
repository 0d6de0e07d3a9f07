/**
 * Jacobians and Hessians by reverse mode (one VJP per output element), and Hessian-vector products
 * without forming the Hessian (reverse-over-reverse). For single-tensor inputs.
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { mul } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { reshape } from '../ops/primitives/shape.js';
import { stack } from '../ops/composite/shape.js';
import { grad, vjp } from './transforms.js';

/**
 * The Jacobian of f at x by reverse mode: shape [...f(x).shape, ...x.shape].
 * @example jacobian((x: Tensor) => x.pow(2))(tensor([1, 2], { dtype: 'float64' })) // diag(2, 4)
 */
export function jacobian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x: Tensor) => {
    if (!(x instanceof Tensor)) throw new ValueError('jacobian', 'the input must be a Tensor');
    const [y, back] = vjp(f, x);
    const rows: Tensor[] = [];
    for (let i = 0; i < y.size; i++) {
      const onehot = reshape(oneHot(y.size, i, y), y.shape);
      rows.push(reshape(back(onehot)[0] as Tensor, [x.size]));
    }
    const J = rows.length ? stack(rows) : zeros([0, x.size], { dtype: x.dtype });
    return reshape(J, [...y.shape, ...x.shape]);
  };
}

function oneHot(n: number, i: number, like: Tensor): Tensor {
  const v = new Array<number>(n).fill(0);
  v[i] = 1;
  return new Tensor(like.backend.fromArray(like.dtype, v), [n]);
}

/**
 * The Hessian of a scalar f at x (reverse over reverse): shape [...x.shape, ...x.shape].
 * @example hessian((x: Tensor) => x.pow(3).sum())(tensor([1, 2], { dtype: 'float64' })) // diag(6, 12)
 */
export function hessian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return jacobian(grad(f));
}

/**
 * The Hessian-vector product H(x) v without forming H.
 * @example hvp((x: Tensor) => x.pow(3).sum(), x, v)
 */
export function hvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor): Tensor {
  return grad((y: Tensor) => sum(mul(grad(f)(y), v)))(x);
}
