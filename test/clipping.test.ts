/** Every case of fixtures/grad_clipping.json: PyTorch's clip_grad_norm_/clip_grad_value_ and optax's clips. */
import { describe, expect, it } from 'vitest';
import { type Tensor } from '../src/index.js';
import { clip, clipByGlobalNorm, clipGradNorm_, clipGradValue_ } from '../src/optim/index.js';
import { assertClose, decode, type Encoded, fixture } from './helpers.js';

interface Case {
  source: string;
  kwargs?: { max_norm?: number; norm_type?: number | string; clip_value?: number };
  constructor?: string;
  clipped_grads: Encoded[];
  returned_total_norm?: number;
  global_norm?: number;
}
const F = fixture<{ grads: Encoded[]; cases: Case[] }>('grad_clipping.json');

const params = () =>
  F.grads.map((g) => {
    const p = decode(g).detach().requiresGrad_();
    p.grad = decode(g);
    return p;
  });

describe('grad_clipping.json', () => {
  it('has 11 cases', () => expect(F.cases.length).toBe(11));
  F.cases.forEach((c, i) => {
    it(`${i}: ${c.source} ${JSON.stringify(c.kwargs ?? c.constructor)}`, () => {
      let out: Tensor[];
      if (c.source === 'torch.nn.utils.clip_grad_norm_') {
        const ps = params();
        const nt = c.kwargs!.norm_type === 'Infinity' ? Infinity : (c.kwargs!.norm_type as number);
        const total = clipGradNorm_(ps, c.kwargs!.max_norm!, nt);
        expect(Math.abs(total.item() - c.returned_total_norm!)).toBeLessThanOrEqual(
          1e-12 * c.returned_total_norm!,
        );
        out = ps.map((p) => p.grad!);
      } else if (c.source === 'torch.nn.utils.clip_grad_value_') {
        const ps = params();
        clipGradValue_(ps, c.kwargs!.clip_value!);
        out = ps.map((p) => p.grad!);
      } else {
        const arg = Number(/\(([\d.]+)\)/.exec(c.constructor!)![1]);
        const tx = c.source === 'optax.clip' ? clip(arg) : clipByGlobalNorm(arg);
        const gs = F.grads.map((g) => decode(g));
        out = tx.update(gs, tx.init(gs))[0] as Tensor[];
      }
      out.forEach((g, k) => assertClose(g, c.clipped_grads[k], 1e-12, 1e-15, `grad ${k}`));
    });
  });
  it('errorIfNonfinite refuses an infinite norm', () => {
    const ps = params();
    ps[0].grad!.fill_(Infinity);
    expect(() => clipGradNorm_(ps, 1, 2, { errorIfNonfinite: true })).toThrow(
      /clipGradNorm_: the total norm .* Infinity/,
    );
  });
});
