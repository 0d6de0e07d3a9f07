import type { Tensor } from '../tensor/tensor.js';

/** A gradient hook: sees the gradient of a tensor and may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

/** A recorded tensor version, checked before backward reads a saved tensor. */
export interface Saved {
  tensor: Tensor;
  version: number;
}

/**
 * A graph node. Leaves stand for tensors the user asked gradients of; op nodes for results of
 * primitives. Edges point at nodes, not tensors, so an in-place op that gives a tensor a new node
 * does not rewire older consumers.
 */
export abstract class Node {
  readonly hooks: GradHook[] = [];
  abstract readonly name: string;
}

export class LeafNode extends Node {
  readonly name = 'leaf';
  constructor(readonly tensor: Tensor) {
    super();
  }
}

export type VjpFn = (g: Tensor) => readonly (Tensor | null | undefined)[];

export class OpNode extends Node {
  /** Set by retainGrad(): the non-leaf tensor whose .grad is filled in backward. */
  retained: Tensor | null = null;
  released = false;
  /** vmap: the batch levels of each input, when any was batched (see sumOutFinishedLevels). */
  inputLevels: number[][] | null = null;
  constructor(
    readonly name: string,
    readonly parents: readonly (Node | null)[],
    public vjp: VjpFn | null,
    public saved: readonly Saved[],
    readonly outShape: readonly number[],
    readonly inputShapes: readonly (readonly number[])[],
    readonly trace: string | undefined,
  ) {
    super();
  }

  release(): void {
    this.released = true;
    this.vjp = null;
    this.saved = [];
  }
}
