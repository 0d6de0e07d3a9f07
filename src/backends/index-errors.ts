import { ValueError } from '../errors.js';
import type { Shape } from '../tensor/shape.js';

/** The JS backend's error for an index outside its dim, for the kernels that report the position. */
export function outOfRange(op: string, j: number, axis: number, shape: Shape): never {
  throw new ValueError(op, `index ${j} is out of bounds for dim ${axis} with size ${shape[axis] ?? 1}`);
}
