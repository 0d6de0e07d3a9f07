/**
 * Module: the PyTorch-style container of parameters, buffers and submodules. Submodules are found
 * automatically among a module's own fields (as PyTorch's `__setattr__` does); parameters and buffers are
 * registered with `registerParameter` / `registerBuffer` (or the `param` shorthand), so a module reads like
 * its PyTorch counterpart:
 * @example
 * class Net extends Module {
 *   fc1 = new Linear(2, 16);
 *   fc2 = new Linear(16, 3);
 *   forward(x: Tensor) { return this.fc2.call(relu(this.fc1.call(x))); }
 * }
 */
import { noGrad } from '../autograd/mode.js';
import { ShapeError, ValueError, clip } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { isTensorJSON, tensorFromJSON } from '../tensor/serialize.js';

/** Called after a module's forward with its inputs and output (e.g. to watch activations). */
export type ForwardHook = (module: Module, inputs: readonly unknown[], output: unknown) => void;

export abstract class Module {
  /** Training mode (dropout active, batch norm uses batch statistics) or evaluation mode. */
  training = true;
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, Tensor>();
  private readonly _hooks: ForwardHook[] = [];

  /** The computation. Call it through `call()` so forward hooks run. */
  abstract forward(...inputs: unknown[]): unknown;

  /** Runs `forward` and then the forward hooks (PyTorch's `module(x)`). */
  call<T extends Module>(this: T, ...inputs: Parameters<T['forward']>): ReturnType<T['forward']> {
    const out = (this.forward as (...a: unknown[]) => unknown)(...inputs) as ReturnType<T['forward']>;
    for (const h of this._hooks) h(this, inputs, out);
    return out;
  }

  /** Adds a forward hook; returns a handle that removes it. */
  registerForwardHook(hook: ForwardHook): { remove(): void } {
    this._hooks.push(hook);
    return {
      remove: () => {
        const i = this._hooks.indexOf(hook);
        if (i >= 0) this._hooks.splice(i, 1);
      },
    };
  }

  /** Registers a parameter (made a leaf that requires grad) under `name`, also set as a field. */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    if (t === null) {
      (this as Record<string, unknown>)[name] = null;
      return null;
    }
    if (!(t instanceof Tensor))
      throw new ValueError('registerParameter', `parameter '${name}' must be a Tensor`);
    const p = t.isLeaf ? t.requiresGrad_(true) : t.detach().requiresGrad_(true);
    this._params.set(name, p);
    (this as Record<string, unknown>)[name] = p;
    return p;
  }

  /** Registers `t` as a parameter and returns it: `this.weight = this.param('weight', init)`. */
  protected param(name: string, t: Tensor): Tensor {
    return this.registerParameter(name, t)!;
  }

  /** Registers a buffer: state saved in the state dict but not trained (e.g. running statistics). */
  registerBuffer(name: string, t: Tensor): Tensor {
    if (!(t instanceof Tensor)) throw new ValueError('registerBuffer', `buffer '${name}' must be a Tensor`);
    this._buffers.set(name, t);
    (this as Record<string, unknown>)[name] = t;
    return t;
  }

  /** Direct submodules with their field names (ModuleList items are named by index). */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) yield [k, v];
    }
  }
  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }
  /** This module and every descendant, with dotted names ('' for this one). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k);
  }
  modules(): Module[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  /** Parameters with dotted names, e.g. ['fc1.weight', W]. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, p] of m._params) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${k}` : k, p]);
      }
    }
    return out;
  }
  /** Every parameter (each once), in registration order. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, b] of m._buffers) out.push([prefix ? `${prefix}.${k}` : k, b]);
    }
    return out;
  }
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Number of parameter elements (trainable only, by default). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.parameters()
      .filter((p) => !opts.trainableOnly || p.requiresGrad)
      .reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode here and in every submodule. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Evaluation mode (train(false)). */
  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every submodule (children first) and then on this module, like PyTorch's `apply`. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Converts every parameter and buffer to `dtype`, in place (e.g. float64 for gradcheck). */
  to(dtype: DType): this {
    for (const m of this.modules()) {
      for (const [k, p] of m._params) {
        if (p.dtype === dtype) continue;
        const q = p.detach().to(dtype).requiresGrad_(p.requiresGrad);
        m._params.set(k, q);
        (m as unknown as Record<string, unknown>)[k] = q;
      }
      for (const [k, b] of m._buffers) {
        if (b.dtype === dtype || b.dtype === 'int32' || b.dtype === 'bool') continue;
        const q = b.to(dtype);
        m._buffers.set(k, q);
        (m as unknown as Record<string, unknown>)[k] = q;
      }
    }
    return this;
  }

  /** Parameters and buffers by dotted name (the tensors themselves, like PyTorch's). */
  stateDict(): Record<string, Tensor> {
    // Module by module, parameters then buffers, as PyTorch orders them.
    const out: Record<string, Tensor> = {};
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      const name = (k: string) => (prefix ? `${prefix}.${k}` : k);
      for (const [k, p] of m._params) {
        if (seen.has(p)) continue;
        seen.add(p);
        out[name(k)] = p;
      }
      for (const [k, b] of m._buffers) out[name(k)] = b;
    }
    return out;
  }

  /**
   * Copies values from a state dict into this module's tensors (identities are kept). With `strict`
   * (default), missing and unexpected keys are errors; shapes must always match. All or nothing: every
   * entry is checked before any tensor is written.
   */
  loadStateDict(
    sd: Record<string, unknown>,
    opts: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const { commit, ...keys } = this.prepareLoadStateDict(sd, opts);
    commit();
    return keys;
  }

  /**
   * The checking half of `loadStateDict`: validates `sd` without changing the module and returns the
   * `commit` that writes it (used to load a model and its optimizer together, or neither).
   * @example const { commit } = model.prepareLoadStateDict(model.stateDict()); const apply = opt.prepareLoadStateDict(opt.stateDict()); commit(); apply();
   */
  prepareLoadStateDict(
    sd: Record<string, unknown>,
    opts: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[]; commit: () => void } {
    if (!sd || typeof sd !== 'object' || Array.isArray(sd))
      throw new ValueError(
        'loadStateDict',
        `expected an object of tensors, got ${sd === null ? 'null' : typeof sd}`,
      );
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !Object.hasOwn(sd, k));
    const unexpectedKeys = Object.keys(sd).filter((k) => !Object.hasOwn(own, k));
    if ((opts.strict ?? true) && (missingKeys.length || unexpectedKeys.length)) {
      const list = (ks: string[]) =>
        ks
          .slice(0, 8)
          .map((k) => clip(k))
          .join(', ') + (ks.length > 8 ? `, ... (${ks.length} in all)` : '');
      throw new ValueError(
        'loadStateDict',
        `state dict does not match ${this.constructor.name}: missing keys [${list(missingKeys)}], unexpected keys [${list(unexpectedKeys)}]`,
      );
    }
    const writes: [Tensor, Tensor][] = [];
    for (const [k, target] of Object.entries(own)) {
      if (!Object.hasOwn(sd, k)) continue;
      const v = sd[k];
      const src = v instanceof Tensor ? v : isTensorJSON(v) ? tensorFromJSON(v, 'loadStateDict') : null;
      if (!src) throw new ValueError('loadStateDict', `entry '${clip(k)}' is not a tensor`);
      if (!shapesEqual(src.shape, target.shape)) {
        throw new ShapeError(
          'loadStateDict',
          `entry '${clip(k)}' has shape ${fmtShape(src.shape)} but the module's tensor has shape ${fmtShape(target.shape)}`,
        );
      }
      writes.push([target, src]);
    }
    const commit = () =>
      noGrad(() => {
        for (const [target, src] of writes) target.copy_(src.to(target.dtype));
      });
    return { missingKeys, unexpectedKeys, commit };
  }

  /** The one-line description inside the printed form, e.g. 'inFeatures=2, outFeatures=16, bias=true'. */
  protected extraRepr(): string {
    return '';
  }

  /** PyTorch's printed form: the module tree with each layer's configuration. */
  toString(): string {
    const kids = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([k, m]) => `  (${k}): ${m.toString().replace(/\n/g, '\n  ')}`);
    return `${head}${this.extraRepr() ? '' : ''}\n${lines.join('\n')}\n)`;
  }

  /** A table of layers, output-independent: name, type, parameter shapes and counts, and the total. */
  summary(): string {
    const rows: [string, string, string, string][] = [['layer', 'type', 'parameters', 'count']];
    for (const [name, m] of this.namedModules()) {
      const own = [...m._params.values()];
      if (!own.length && name !== '') continue;
      rows.push([
        name || '(root)',
        m.constructor.name,
        own.map((p) => fmtShape(p.shape)).join(' '),
        String(own.reduce((n, p) => n + p.size, 0)),
      ]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
    return [
      fmt(rows[0]),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...rows.slice(1).map(fmt),
      `total parameters: ${this.numParameters()}`,
    ].join('\n');
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
