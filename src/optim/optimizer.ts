/**
 * The PyTorch-style optimizer face: param groups with per-group options, `step()`, `zeroGrad()`,
 * `stateDict()`/`loadStateDict()`. A thin layer: each step asks the subclass for the pure rule of a group
 * (built from the group's current options, so schedulers that change them take effect) and applies it
 * to every parameter with a gradient, keeping each parameter's state.
 */
import { noGrad, enableGrad } from '../autograd/mode.js';
import { tensorsIn, withScope } from '../backends/lifetime.js';
import { ValueError, clip } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { isTensorJSON, tensorFromJSON } from '../tensor/serialize.js';
import type { ParamRule, ParamState } from './torch/rule.js';
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

  /** Checks one group's options; throws a ValueError naming the option and value (none by default). */
  protected validate(_options: O): void {}

  /**
   * The pure update rule for a group's current options. Optimizers that are not per-parameter rules
   * (LBFGS, Newton) have none: they override `step`, and their state is checked as they load it.
   */
  protected rule?(group: ParamGroup<O>): ParamRule;

  private ruleOf(group: ParamGroup<O>): ParamRule {
    if (!this.rule)
      throw new ValueError(this.name ?? 'Optimizer', 'has no per-parameter rule: it overrides step');
    return this.rule(group);
  }

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
    // The step's temporaries go back to the pool when it ends; the parameters, their gradients and
    // the state live on.
    withScope(
      () => noGrad(() => this.applyRules()),
      () => this.liveTensors(),
    );
    return loss;
  }

  /** The parameters, their gradients and every state tensor: what outlives a step. */
  protected liveTensors(): Tensor[] {
    const out: Tensor[] = [];
    for (const g of this.paramGroups) for (const p of g.params) out.push(p, ...(p.grad ? [p.grad] : []));
    return tensorsIn([...this.state.values()], out);
  }

  private applyRules(): void {
    for (const group of this.paramGroups) {
      const rule = this.ruleOf(group);
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

  /**
   * Restores a `stateDict()` (or its JSON parse). All or nothing: the groups, their options and every
   * parameter's state are checked (keys, kinds, shapes, finite values, non-negative second moments and
   * step counts) before anything changes, so a bad state fails here, not at the next `step()`.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    this.prepareLoadStateDict(sd)();
  }

  /**
   * The checking half of `loadStateDict`: validates `sd` and returns the function that applies it.
   * @example const apply = optimizer.prepareLoadStateDict(optimizer.stateDict()); apply(); // nothing changes if it throws
   */
  prepareLoadStateDict(sd: OptimizerStateDict): () => void {
    const op = `${this.name}.loadStateDict`;
    const isObj = (x: unknown): x is Record<string, unknown> =>
      typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Tensor);
    if (!isObj(sd) || !Array.isArray(sd.paramGroups) || !isObj(sd.state)) {
      throw new ValueError(op, 'expected { state: object, paramGroups: array }');
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(
        op,
        `the state dict has ${sd.paramGroups.length} param groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const nParams = this.paramGroups.reduce((n, g) => n + g.params.length, 0);
    const byIndex: Tensor[] = [];
    const groupOf: number[] = [];
    const newGroups = sd.paramGroups.map((saved, gi) => {
      if (!isObj(saved)) throw new ValueError(op, `param group ${gi} is not an object`);
      const group = this.paramGroups[gi];
      const ids = saved.params;
      if (!Array.isArray(ids) || ids.length !== group.params.length) {
        throw new ValueError(
          op,
          `param group ${gi} has ${Array.isArray(ids) ? ids.length : 'no'} params in the state dict but ${group.params.length} in the optimizer`,
        );
      }
      ids.forEach((id: unknown, k) => {
        if (
          !Number.isSafeInteger(id) ||
          (id as number) < 0 ||
          (id as number) >= nParams ||
          byIndex[id as number]
        )
          throw new ValueError(
            op,
            `param group ${gi} lists an invalid or repeated param index ${clipValue(id)}`,
          );
        byIndex[id as number] = group.params[k];
        groupOf[id as number] = gi;
      });
      const { params: _ids, ...opts } = saved;
      checkOptions(op, opts, [...this.optionNames, ...SCHEDULER_KEYS]);
      for (const k of ['lr', ...SCHEDULER_KEYS]) {
        const v = opts[k];
        if (v !== undefined && typeof v !== 'function' && !(typeof v === 'number' && Number.isFinite(v)))
          throw new ValueError(op, `param group ${gi} has ${k} ${clipValue(v)}; it must be a finite number`);
      }
      const merged = { ...group, ...(opts as Partial<O>) };
      this.validate(merged);
      return { opts, merged };
    });
    const restored = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = /^\d+$/.test(key) ? byIndex[Number(key)] : undefined;
      if (!p) throw new ValueError(op, `state for unknown param index ${clipValue(key)}`);
      const where = `the state of param ${key}`;
      if (!isObj(s)) throw new ValueError(op, `${where} is not an object`);
      const decoded = decodeState(op, s, p, this.checkStateShapes) as ParamState;
      if (this.checkStateShapes && this.rule) {
        const fresh = noGrad(() => this.ruleOf(newGroups[groupOf[Number(key)]].merged).init(p));
        matchState(op, where, decoded, fresh, p, '');
      }
      restored.set(p, onBackendOf(decoded, p) as ParamState);
    }
    return () => {
      newGroups.forEach(({ opts }, gi) => Object.assign(this.paramGroups[gi], opts));
      this.state.clear();
      for (const [p, s] of restored) this.state.set(p, s);
    };
  }
}

/** State entries that are running averages of squares or maxima: never negative. */
const NON_NEGATIVE = new Set([
  'expAvgSq',
  'maxExpAvgSq',
  'sum',
  'squareAvg',
  'accDelta',
  'expInf',
  'nu',
  'nuMax',
  'sumOfSquares',
  'eG',
  'eX',
]);
/** State entries that count steps: non-negative integers. */
const COUNTS = new Set(['step', 'count', 't', 'funcEvals', 'nIter']);

/** A bad value for a message: strings quoted, everything bounded (clip). */
function clipValue(v: unknown): string {
  return typeof v === 'string' ? `'${clip(v)}'` : clip(v);
}

/**
 * Checks a loaded param state against a fresh `init(p)` of the same rule: every key of the fresh state
 * present with the same kind; tensors shaped like it and finite; counts non-negative integers. Keys the
 * fresh state lacks (buffers created at the first step, as SGD's momentum) may be finite numbers or tensors.
 */
function matchState(op: string, where: string, got: unknown, fresh: unknown, p: Tensor, key: string): void {
  const at = key ? `${where}: '${key}'` : where;
  if (fresh instanceof Tensor || (got instanceof Tensor && fresh === undefined)) {
    if (!(got instanceof Tensor)) throw new ValueError(op, `${at} must be a tensor, got ${clipValue(got)}`);
    if (fresh instanceof Tensor && !shapesEqual(got.shape, fresh.shape))
      throw new ValueError(op, `${at} has shape ${fmtShape(got.shape)}, expected ${fmtShape(fresh.shape)}`);
    const leaf = key.slice(key.lastIndexOf('.') + 1);
    const data = got.dataSync();
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v)) throw new ValueError(op, `${at} holds ${v} at element ${i}`);
      if (v < 0 && NON_NEGATIVE.has(leaf))
        throw new ValueError(op, `${at} holds ${v} at element ${i}; it must be >= 0`);
    }
    return;
  }
  if (typeof fresh === 'number' || (typeof got === 'number' && fresh === undefined)) {
    const leaf = key.slice(key.lastIndexOf('.') + 1);
    if (typeof got !== 'number' || !Number.isFinite(got))
      throw new ValueError(op, `${at} must be a finite number, got ${clipValue(got)}`);
    if (COUNTS.has(leaf) && !(Number.isSafeInteger(got) && got >= 0))
      throw new ValueError(op, `${at} must be a non-negative integer, got ${clipValue(got)}`);
    return;
  }
  if (fresh === undefined) throw new ValueError(op, `${at} is not a tensor or a number`);
  if (Array.isArray(fresh)) {
    if (!Array.isArray(got) || got.length !== fresh.length)
      throw new ValueError(op, `${at} must be an array of ${fresh.length}`);
    fresh.forEach((f, i) => matchState(op, where, got[i], f, p, `${key}.${i}`));
    return;
  }
  if (fresh !== null && typeof fresh === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got))
      throw new ValueError(op, `${at} must be an object`);
    const g = got as Record<string, unknown>;
    for (const k of Object.keys(fresh)) {
      if (!Object.hasOwn(g, k)) throw new ValueError(op, `${where} is missing '${key ? `${key}.` : ''}${k}'`);
    }
    for (const [k, v] of Object.entries(g)) {
      const f = Object.hasOwn(fresh, k) ? (fresh as Record<string, unknown>)[k] : undefined;
      matchState(op, where, v, f, p, key ? `${key}.${k}` : k);
    }
    return;
  }
  if (typeof got !== typeof fresh || (fresh === null) !== (got === null))
    throw new ValueError(
      op,
      `${at} must be ${fresh === null ? 'null' : `a ${typeof fresh}`}, got ${clipValue(got)}`,
    );
}

/** A checked state's tensors on its param's backend (a checkpoint is decoded on the host). */
function onBackendOf(v: unknown, p: Tensor): unknown {
  if (v instanceof Tensor)
    return v.backend === p.backend ? v : new Tensor(p.backend.fromArray(v.dtype, v.dataSync()), v.shape);
  if (Array.isArray(v)) return v.map((x) => onBackendOf(x, p));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, onBackendOf(x, p)]));
  return v;
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
