/**
 * The PyTorch-style optimizer face: param groups with per-group options, `step()`, `zeroGrad()`,
 * `stateDict()`/`loadStateDict()`. A thin layer: each step asks the subclass for the pure rule of a group
 * (built from the group's current options, so schedulers that change them take effect) and applies it
 * to every parameter with a gradient, keeping each parameter's state.
 */
import { noGrad, enableGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { isTensorJSON, tensorFromJSON } from '../tensor/serialize.js';
import type { ParamRule, ParamState } from './torch-rules.js';
import { checkOptions } from './validate.js';

/** A group of parameters with its own options. */
export type ParamGroup<O> = O & { params: Tensor[] };
/** What a constructor accepts for a group: its params and any options to override. */
export type ParamGroupInit<O> = Partial<O> & { params: readonly Tensor[] };

/** A serializable snapshot of an optimizer, as PyTorch's `state_dict()`: params are named by index. */
export interface OptimizerStateDict {
  state: Record<string, Record<string, unknown>>;
  paramGroups: Record<string, unknown>[];
}

/** Keys that learning-rate schedulers add to param groups (as PyTorch's do). */
export const SCHEDULER_KEYS = ['initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'];

/** The closure that `step(closure)` may call: re-evaluates the model and returns the loss. */
export type Closure = () => Tensor | number;

function lossValue(l: Tensor | number): number {
  return typeof l === 'number' ? l : l.item();
}

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, as PyTorch's `optimizer.state`. */
  readonly state = new Map<Tensor, ParamState>();
  /** Whether loadStateDict requires state tensors to have their parameter's shape. */
  protected checkStateShapes = true;

  readonly defaults: O;

  constructor(
    readonly name: string,
    params: readonly Tensor[] | readonly ParamGroupInit<O>[],
    baseDefaults: O,
    options: Partial<O> = {},
  ) {
    checkOptions(name, options, Object.keys(baseDefaults));
    this.defaults = { ...baseDefaults, ...options };
    if (!Array.isArray(params) || params.length === 0) {
      throw new ValueError(name, 'optimizer got an empty parameter list');
    }
    this.validate(this.defaults);
    const groups: ParamGroupInit<O>[] =
      params[0] instanceof Tensor
        ? [{ params: params as Tensor[] } as unknown as ParamGroupInit<O>]
        : (params as ParamGroupInit<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Option names a group may set. */
  protected get optionNames(): string[] {
    return Object.keys(this.defaults);
  }

  /** Checks one group's options; throws a ValueError naming the option and value. */
  protected abstract validate(options: O): void;

  /** The pure update rule for a group's current options. */
  protected abstract rule(group: ParamGroup<O>): ParamRule;

  /** Adds a group of parameters (with option overrides), as PyTorch's `add_param_group`. */
  addParamGroup(group: ParamGroupInit<O>): void {
    const { params, ...opts } = group;
    checkOptions(this.name, opts, this.optionNames);
    if (!Array.isArray(params) || params.length === 0)
      throw new ValueError(this.name, 'a param group needs a non-empty params array');
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(this.name, `params[${i}] is not a Tensor`);
      if (!isFloat(p.dtype))
        throw new ValueError(
          this.name,
          `params[${i}] has dtype ${p.dtype}; only floating-point tensors can be optimized`,
        );
      if (!p.isLeaf)
        throw new ValueError(
          this.name,
          `params[${i}] (shape ${fmtShape(p.shape)}) is not a leaf tensor; can't optimize a non-leaf Tensor`,
        );
      if (seen.has(p))
        throw new ValueError(this.name, `params[${i}] appears in more than one parameter group`);
      seen.add(p);
    });
    const full = { ...this.defaults, ...(opts as Partial<O>), params: [...params] } as ParamGroup<O>;
    this.validate(full);
    this.paramGroups.push(full);
  }

  /**
   * One optimization step over every parameter that has a gradient. With a closure (needed by LBFGS),
   * calls it first with grad enabled and returns its loss.
   */
  step(closure?: Closure): number | undefined {
    const loss = closure ? lossValue(enableGrad(closure)) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) {
        const rule = this.rule(group);
        for (const p of group.params) {
          if (!p.grad) continue;
          const s = this.state.get(p) ?? rule.init(p);
          // In place when the rule can (as PyTorch does): p keeps its memory and its version goes up.
          const inPlace = rule.stepInPlace?.(p, p.grad, s);
          if (inPlace) {
            this.state.set(p, inPlace);
            continue;
          }
          const [next, ns] = rule.step(p.detach(), p.grad.detach(), s);
          p.copy_(next);
          this.state.set(p, ns);
        }
      }
    });
    return loss;
  }

  /** Clears every parameter's `.grad` (PyTorch's default `set_to_none=True`). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** The state and group options, with parameters named by their index (JSON-serializable). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      return {
        ...structuredCloneOptions(opts),
        params: params.map((p) => {
          if (!index.has(p)) index.set(p, index.size);
          return index.get(p)!;
        }),
      };
    });
    const state: Record<string, Record<string, unknown>> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[String(i)] = { ...s };
    }
    return { state, paramGroups };
  }

  /** Restores a `stateDict()` (or its JSON parse), checking that groups and parameter shapes match. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
      throw new ValueError(`${this.name}.loadStateDict`, 'expected { state, paramGroups }');
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        `${this.name}.loadStateDict`,
        `the state dict has ${sd.paramGroups.length} param groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi];
      const ids = saved.params as number[];
      if (!Array.isArray(ids) || ids.length !== group.params.length) {
        throw new ValueError(
          `${this.name}.loadStateDict`,
          `param group ${gi} has ${Array.isArray(ids) ? ids.length : 'no'} params in the state dict but ${group.params.length} in the optimizer`,
        );
      }
      ids.forEach((id, k) => (byIndex[id] = group.params[k]));
    });
    const restored = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = byIndex[Number(key)];
      if (!p) throw new ValueError(`${this.name}.loadStateDict`, `state for unknown param index ${key}`);
      restored.set(p, decodeState(this.name, s, p, this.checkStateShapes) as ParamState);
    }
    sd.paramGroups.forEach((saved, gi) => {
      const { params: _ids, ...opts } = saved;
      checkOptions(`${this.name}.loadStateDict`, opts, [...this.optionNames, ...SCHEDULER_KEYS]);
      const group = { ...this.paramGroups[gi], ...(opts as Partial<O>) };
      this.validate(group);
      Object.assign(this.paramGroups[gi], opts);
    });
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}

function structuredCloneOptions(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? [...v] : v;
  return out;
}

/** Turns JSON tensors back into tensors (recursively); tensors shaped unlike the param are refused. */
function decodeState(op: string, v: unknown, p: Tensor, checkShapes: boolean): unknown {
  if (v instanceof Tensor || isTensorJSON(v)) {
    const t = tensorFromJSON(v, `${op}.loadStateDict`);
    if (checkShapes && t.size > 1 && !shapesEqual(t.shape, p.shape)) {
      throw new ValueError(
        `${op}.loadStateDict`,
        `a state tensor has shape ${fmtShape(t.shape)} but its param has shape ${fmtShape(p.shape)}`,
      );
    }
    return t.dtype === p.dtype ? t : t.to(p.dtype);
  }
  if (Array.isArray(v)) return v.map((x) => decodeState(op, x, p, checkShapes));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeState(op, x, p, checkShapes)]));
  }
  return v;
}
