/** Cyclical schedulers: OneCycleLR and CyclicLR (they also drive momentum). */
import { ValueError } from '../errors.js';
import { type Group, LRScheduler, type SchedulableOptimizer, groupsOf } from './base.js';
import { CYCLIC_SCALES, cosineAnneal, cyclicPosition, linearAnneal } from './functions.js';

function momentumKey(op: string, optimizer: SchedulableOptimizer): 'betas' | 'momentum' {
  if ('betas' in optimizer.defaults) return 'betas';
  if ('momentum' in optimizer.defaults) return 'momentum';
  throw new ValueError(
    op,
    'cycleMomentum needs an optimizer with a momentum or betas option (or pass cycleMomentum: false)',
  );
}

function setMomentum(g: Group, key: 'betas' | 'momentum', m: number): void {
  if (key === 'betas') g.betas = [m, ...(g.betas as number[]).slice(1)];
  else g.momentum = m;
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

/** The param-group fields (PyTorch's) that a one-cycle phase anneals between. */
type LrField = 'initialLr' | 'maxLr' | 'minLr';
type MomentumField = 'maxMomentum' | 'baseMomentum';
interface OneCyclePhase {
  endStep: number;
  startLr: LrField;
  endLr: LrField;
  startMomentum: MomentumField;
  endMomentum: MomentumField;
}

/** The one-cycle policy: lr up then down (two or three phases), momentum (or beta1) the other way. */
export class OneCycleLR extends LRScheduler {
  private readonly phases: OneCyclePhase[];
  private readonly totalSteps: number;
  private readonly momentumKey: 'betas' | 'momentum' | null;
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: OneCycleOptions,
  ) {
    const total = opts.totalSteps ?? (opts.epochs ?? 0) * (opts.stepsPerEpoch ?? 0);
    if (!(total > 0)) throw new ValueError('OneCycleLR', 'give totalSteps > 0, or epochs and stepsPerEpoch');
    const pct = opts.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new ValueError('OneCycleLR', `pctStart must be in [0, 1], got ${pct}`);
    const div = opts.divFactor ?? 25;
    const finalDiv = opts.finalDivFactor ?? 1e4;
    const cycle = opts.cycleMomentum ?? true;
    const key = cycle ? momentumKey('OneCycleLR', optimizer) : null;
    if ((opts.lastEpoch ?? -1) === -1) {
      for (const g of groupsOf(optimizer)) {
        g.initialLr = opts.maxLr / div;
        g.maxLr = opts.maxLr;
        g.minLr = (g.initialLr as number) / finalDiv;
        if (key) {
          setMomentum(g, key, opts.maxMomentum ?? 0.95);
          g.maxMomentum = opts.maxMomentum ?? 0.95;
          g.baseMomentum = opts.baseMomentum ?? 0.85;
        }
      }
    }
    super(optimizer, opts.lastEpoch);
    this.totalSteps = total;
    this.momentumKey = key;
    this.phases = opts.threePhase
      ? [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pct * total - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    this.initialStep();
  }
  private anneal(start: number, end: number, pct: number): number {
    return ((this.opts.annealStrategy ?? 'cos') === 'linear' ? linearAnneal : cosineAnneal)(start, end, pct);
  }
  protected getLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new ValueError('OneCycleLR', `tried to step ${t} times, more than totalSteps ${this.totalSteps}`);
    }
    return this.groups.map((g) => {
      let start = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (t <= ph.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.momentumKey) {
            setMomentum(
              g,
              this.momentumKey,
              this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct),
            );
          }
          break;
        }
        start = ph.endStep;
      }
      return lr;
    });
  }
}

export interface CyclicOptions {
  baseLr: number | readonly number[];
  maxLr: number | readonly number[];
  stepSizeUp?: number;
  stepSizeDown?: number;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
  scaleFn?: (x: number) => number;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  lastEpoch?: number;
}

/** Cyclical learning rates between baseLr and maxLr (triangular, triangular2, exp_range). */
export class CyclicLR extends LRScheduler {
  private readonly maxLrs: number[];
  private readonly stepSizeUp: number;
  private readonly stepSizeDown: number;
  private readonly scaleFn: (x: number) => number;
  private readonly scaleMode: 'cycle' | 'iterations';
  private readonly momentumKey: 'betas' | 'momentum' | null;
  private readonly baseMomentums: number[];
  private readonly maxMomentums: number[];
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: CyclicOptions,
  ) {
    const groups = groupsOf(optimizer);
    const per = (v: number | readonly number[], name: string) => {
      const arr = typeof v === 'number' ? groups.map(() => v) : [...v];
      if (arr.length !== groups.length)
        throw new ValueError(
          'CyclicLR',
          `${name} has ${arr.length} values for ${groups.length} param groups`,
        );
      return arr;
    };
    const baseLrs = per(opts.baseLr, 'baseLr');
    const lastEpoch = opts.lastEpoch ?? -1;
    if (lastEpoch === -1) groups.forEach((g, i) => (g.lr = baseLrs[i]));
    const cycle = opts.cycleMomentum ?? true;
    const key = cycle ? momentumKey('CyclicLR', optimizer) : null;
    const baseM = per(opts.baseMomentum ?? 0.8, 'baseMomentum');
    const maxM = per(opts.maxMomentum ?? 0.9, 'maxMomentum');
    if (key && lastEpoch === -1) {
      groups.forEach((g, i) => {
        setMomentum(g, key, maxM[i]);
        g.maxMomentum = maxM[i];
        g.baseMomentum = baseM[i];
      });
    }
    super(optimizer, lastEpoch);
    this.baseLrs = baseLrs;
    this.maxLrs = per(opts.maxLr, 'maxLr');
    this.stepSizeUp = opts.stepSizeUp ?? 2000;
    this.stepSizeDown = opts.stepSizeDown ?? this.stepSizeUp;
    const mode = opts.mode ?? 'triangular';
    const builtIn = CYCLIC_SCALES[mode];
    if (!opts.scaleFn && !builtIn)
      throw new ValueError(
        'CyclicLR',
        `mode must be 'triangular', 'triangular2' or 'exp_range', got '${String(mode)}'`,
      );
    this.scaleFn = opts.scaleFn ?? builtIn.scale(opts.gamma ?? 1);
    this.scaleMode = opts.scaleFn ? (opts.scaleMode ?? 'cycle') : builtIn.per;
    this.momentumKey = key;
    this.baseMomentums = baseM;
    this.maxMomentums = maxM;
    this.initialStep();
  }
  protected getLr(): number[] {
    const { cycle, height: sf } = cyclicPosition(this.lastEpoch, this.stepSizeUp, this.stepSizeDown);
    const s = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * sf * s);
    if (this.momentumKey) {
      const key = this.momentumKey;
      this.groups.forEach((g, i) =>
        setMomentum(g, key, this.maxMomentums[i] - (this.maxMomentums[i] - this.baseMomentums[i]) * sf * s),
      );
    }
    return lrs;
  }
}
