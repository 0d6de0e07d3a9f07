// Fused optimizer updates, bit for bit what optim/torch-rules.ts computes op by op (the same order and the
// same rounding: every elementary op rounds to the parameter's type), like the native backend's optim.cc.
// Flat loops over [i0, i1) that may run past i1 into the buffers' padding (see elementwise.ts).

/**
 * One Adam(W) step. s: lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt (float64). flags: 1 decoupled,
 * 2 maximize, 4 AMSGrad (maxV and maxOut are used only then).
 */
export function adam32(
  p: usize, g: usize, m: usize, v: usize, maxV: usize,
  po: usize, mo: usize, vo: usize, maxO: usize, s: usize, flags: i32, i0: i32, i1: i32,
): void {
  const lr = load<f64>(s), b1 = load<f64>(s, 8), b2 = load<f64>(s, 16), eps = load<f64>(s, 24);
  const wd = load<f64>(s, 32), stepSize = load<f64>(s, 40), bc2Sqrt = load<f64>(s, 48);
  const decoupled = (flags & 1) != 0, ams = (flags & 4) != 0;
  const coupled = !decoupled && wd != 0, near = Math.abs(1 - b1) < 0.5;
  const decay = f32x4.splat(decoupled && wd != 0 ? <f32>(1 - lr * wd) : 1);
  const sign = f32x4.splat((flags & 2) != 0 ? -1 : 1);
  const wdT = f32x4.splat(<f32>wd), w = f32x4.splat(<f32>(1 - b1)), w1 = f32x4.splat(<f32>(1 - (1 - b1)));
  const b2T = f32x4.splat(<f32>b2), c2 = f32x4.splat(<f32>(1 - b2)), bc2 = f32x4.splat(<f32>bc2Sqrt);
  const epsT = f32x4.splat(<f32>eps), neg = f32x4.splat(<f32>-stepSize);
  for (let i = i0; i < i1; i += 4) {
    const off = <usize>i << 2;
    const p0 = v128.load(p + off), m0 = v128.load(m + off), v0 = v128.load(v + off);
    let gg = f32x4.mul(v128.load(g + off), sign);
    if (coupled) gg = f32x4.add(gg, f32x4.mul(p0, wdT));
    const d = f32x4.sub(gg, m0);
    const ea = near ? f32x4.add(m0, f32x4.mul(d, w)) : f32x4.sub(gg, f32x4.mul(d, w1));
    const es = f32x4.add(f32x4.mul(v0, b2T), f32x4.mul(f32x4.mul(gg, c2), gg));
    let vv = es;
    if (ams) {
      const a = v128.load(maxV + off);
      vv = v128.bitselect(a, es, f32x4.gt(a, es));
      vv = v128.bitselect(f32x4.splat(NaN), vv, v128.or(f32x4.ne(a, a), f32x4.ne(es, es)));
      v128.store(maxO + off, vv);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), bc2), epsT);
    v128.store(po + off, f32x4.add(f32x4.mul(p0, decay), f32x4.div(f32x4.mul(ea, neg), denom)));
    v128.store(mo + off, ea);
    v128.store(vo + off, es);
  }
}

export function adam64(
  p: usize, g: usize, m: usize, v: usize, maxV: usize,
  po: usize, mo: usize, vo: usize, maxO: usize, s: usize, flags: i32, i0: i32, i1: i32,
): void {
  const lr = load<f64>(s), b1 = load<f64>(s, 8), b2 = load<f64>(s, 16), eps = load<f64>(s, 24);
  const wd = load<f64>(s, 32), stepSize = load<f64>(s, 40), bc2Sqrt = load<f64>(s, 48);
  const decoupled = (flags & 1) != 0, ams = (flags & 4) != 0;
  const coupled = !decoupled && wd != 0, near = Math.abs(1 - b1) < 0.5;
  const decay = f64x2.splat(decoupled && wd != 0 ? 1 - lr * wd : 1);
  const sign = f64x2.splat((flags & 2) != 0 ? -1 : 1);
  const wdT = f64x2.splat(wd), w = f64x2.splat(1 - b1), w1 = f64x2.splat(1 - (1 - b1));
  const b2T = f64x2.splat(b2), c2 = f64x2.splat(1 - b2), bc2 = f64x2.splat(bc2Sqrt);
  const epsT = f64x2.splat(eps), neg = f64x2.splat(-stepSize);
  for (let i = i0; i < i1; i += 2) {
    const off = <usize>i << 3;
    const p0 = v128.load(p + off), m0 = v128.load(m + off), v0 = v128.load(v + off);
    let gg = f64x2.mul(v128.load(g + off), sign);
    if (coupled) gg = f64x2.add(gg, f64x2.mul(p0, wdT));
    const d = f64x2.sub(gg, m0);
    const ea = near ? f64x2.add(m0, f64x2.mul(d, w)) : f64x2.sub(gg, f64x2.mul(d, w1));
    const es = f64x2.add(f64x2.mul(v0, b2T), f64x2.mul(f64x2.mul(gg, c2), gg));
    let vv = es;
    if (ams) {
      const a = v128.load(maxV + off);
      vv = v128.bitselect(a, es, f64x2.gt(a, es));
      vv = v128.bitselect(f64x2.splat(NaN), vv, v128.or(f64x2.ne(a, a), f64x2.ne(es, es)));
      v128.store(maxO + off, vv);
    }
    const denom = f64x2.add(f64x2.div(f64x2.sqrt(vv), bc2), epsT);
    v128.store(po + off, f64x2.add(f64x2.mul(p0, decay), f64x2.div(f64x2.mul(ea, neg), denom)));
    v128.store(mo + off, ea);
    v128.store(vo + off, es);
  }
}

/**
 * One SGD step. s: lr, momentum, dampening, weightDecay (float64). flags: 1 maximize, 2 Nesterov, 4 a
 * momentum buffer exists (else this is the first momentum step).
 */
export function sgd32(p: usize, g: usize, buf: usize, po: usize, bo: usize, s: usize, flags: i32, i0: i32, i1: i32): void {
  const lrD = load<f64>(s), momD = load<f64>(s, 8), dampD = load<f64>(s, 16), wdD = load<f64>(s, 24);
  const hasWd = wdD != 0, hasMom = momD != 0, first = (flags & 4) == 0, nesterov = (flags & 2) != 0;
  const lr = f32x4.splat(<f32>-lrD), mom = f32x4.splat(<f32>momD), damp = f32x4.splat(<f32>(1 - dampD));
  const wd = f32x4.splat(<f32>wdD), sign = f32x4.splat((flags & 1) != 0 ? -1 : 1);
  for (let i = i0; i < i1; i += 4) {
    const off = <usize>i << 2;
    const p0 = v128.load(p + off);
    let gg = f32x4.mul(v128.load(g + off), sign);
    if (hasWd) gg = f32x4.add(gg, f32x4.mul(p0, wd));
    if (hasMom) {
      const b = first ? gg : f32x4.add(f32x4.mul(v128.load(buf + off), mom), f32x4.mul(gg, damp));
      v128.store(bo + off, b);
      gg = nesterov ? f32x4.add(gg, f32x4.mul(b, mom)) : b;
    }
    v128.store(po + off, f32x4.add(p0, f32x4.mul(gg, lr)));
  }
}

export function sgd64(p: usize, g: usize, buf: usize, po: usize, bo: usize, s: usize, flags: i32, i0: i32, i1: i32): void {
  const lrD = load<f64>(s), momD = load<f64>(s, 8), dampD = load<f64>(s, 16), wdD = load<f64>(s, 24);
  const hasWd = wdD != 0, hasMom = momD != 0, first = (flags & 4) == 0, nesterov = (flags & 2) != 0;
  const lr = f64x2.splat(-lrD), mom = f64x2.splat(momD), damp = f64x2.splat(1 - dampD);
  const wd = f64x2.splat(wdD), sign = f64x2.splat((flags & 1) != 0 ? -1 : 1);
  for (let i = i0; i < i1; i += 2) {
    const off = <usize>i << 3;
    const p0 = v128.load(p + off);
    let gg = f64x2.mul(v128.load(g + off), sign);
    if (hasWd) gg = f64x2.add(gg, f64x2.mul(p0, wd));
    if (hasMom) {
      const b = first ? gg : f64x2.add(f64x2.mul(v128.load(buf + off), mom), f64x2.mul(gg, damp));
      v128.store(bo + off, b);
      gg = nesterov ? f64x2.add(gg, f64x2.mul(b, mom)) : b;
    }
    v128.store(po + off, f64x2.add(p0, f64x2.mul(gg, lr)));
  }
}
