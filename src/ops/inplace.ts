/**
 * In-place ops (trailing underscore). The result is computed out of place, then written into the
 * tensor's storage and its version counter bumped, so a backward that saved the old value refuses to
 * run. When recording, the tensor takes over the result's graph node (PyTorch's history rebase).
 */
import { isGradEnabled } from '../autograd/mode.js';
import { AutogradError, ShapeError, ValueError } from '../errors.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkTensor } from './core.js';
import { fullLike } from '../tensor/creation.js';
import { expand } from './primitives/shape.js';

function checkWritable(op: string, self: Tensor): void {
  if (!isGradEnabled()) return;
  if (self.isLeaf && self.requiresGrad) {
    throw new AutogradError(
      op,
      `a leaf tensor of shape ${fmtShape(self.shape)} that requires grad is used in an in-place op; ` +
        'wrap the update in noGrad(() => ...) or use the out-of-place op',
    );
  }
}

/**
 * Runs `compute(src)` and writes its result into `self`. While recording, `src` is a snapshot of self's
 * current value carrying its graph node, so the new node's saved inputs keep the old value.
 */
export function inplace<T extends Tensor>(self: T, op: string, compute: (src: Tensor) => Tensor): T {
  checkWritable(op, self);
  if (self._isSliceCopy) {
    throw new ValueError(
      op,
      `in-place op on a slice of shape ${fmtShape(self.shape)}: slices are copies in descend, so the write would not reach ` +
        'the sliced tensor. Use setIndex_ (or where/maskedFill/scatterAdd) to write into it, or .clone() the slice first',
    );
  }
  let src: Tensor = self;
  if (isGradEnabled()) {
    src = new Tensor(self.backend.cast(self._storage, self.dtype), self.shape);
    src._node = self._node;
  }
  let result = compute(src);
  if (!shapesEqual(result.shape, self.shape)) {
    throw new ShapeError(
      op,
      `the result has shape ${fmtShape(result.shape)}, which does not match the in-place target's shape ${fmtShape(self.shape)}`,
    );
  }
  if (result.dtype !== self.dtype) result = result.to(self.dtype);
  const tracked = isGradEnabled() && result.requiresGrad;
  if (tracked && self._isView) {
    throw new AutogradError(
      op,
      `in-place op on a view (shape ${fmtShape(self.shape)}) while recording; use the out-of-place op`,
    );
  }
  // A CPU tensor written into a device one (loading a checkpoint into a WebGPU model) crosses over.
  const storage =
    result.backend === self.backend
      ? result._storage
      : self.backend.fromArray(result.dtype, result.dataSync());
  self.backend.copyInto(self._storage, storage);
  self._version.value++;
  if (tracked) self._node = result._node;
  return self;
}

/** Overwrites the elements with `src` (broadcast to this shape), like torch's `copy_`. */
export function copy_<T extends Tensor>(self: T, src: Tensor): T {
  checkTensor('copy_', 'src', src);
  return inplace(self, 'copy_', () => expand(src.to(self.dtype), self.shape));
}

/** Fills with `value`, in place. */
export function fill_<T extends Tensor>(self: T, value: number): T {
  return inplace(self, 'fill_', () => fullLike(self.detach(), value));
}
