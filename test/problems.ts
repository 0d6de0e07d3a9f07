/** The reference file's three problems, and descend's counterpart of a PyTorch constructor call. */
import { type Tensor, matmul, sum, tensor } from '../src/index.js';
import * as optim from '../src/optim/index.js';
import { fixture } from './helpers.js';

export interface TorchRun {
  id: string;
  source: string;
  problem: 'quadratic' | 'rosenbrock' | 'least_squares';
  constructor_kwargs: Record<string, unknown>;
  params: number[][];
  loss: number[];
  final_state: Record<string, number | number[]>;
}
const F = fixture<{ problems: { least_squares: { A: number[][]; b: number[] } }; runs: TorchRun[] }>(
  'optimizers_torch.json',
);
export const TORCH_RUNS = F.runs;
const A = tensor(F.problems.least_squares.A, { dtype: 'float64' });
const b = tensor(F.problems.least_squares.b, { dtype: 'float64' });

export const PROBLEMS: Record<TorchRun['problem'], (x: Tensor) => Tensor> = {
  quadratic: (x) => x.index(0).pow(2).add(x.index(1).pow(2).mul(2)),
  rosenbrock: (x) => {
    const [x0, x1] = [x.index(0), x.index(1)];
    return x0
      .neg()
      .add(1)
      .pow(2)
      .add(x1.sub(x0.pow(2)).pow(2).mul(100));
  },
  least_squares: (w) => sum(matmul(A, w).sub(b).pow(2)).mul(0.5),
};

export const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The descend class and options for a PyTorch constructor call. */
export function makeTorch(run: TorchRun, params: Tensor[]): optim.Optimizer<object> {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.constructor_kwargs)) opts[camel(k)] = v;
  const source = run.source.replace('torch.optim.', '');
  const classes: Record<string, new (p: Tensor[], o: object) => optim.Optimizer<object>> = {
    SGD: optim.SGD,
    Adagrad: optim.Adagrad,
    RMSprop: optim.RMSprop,
    Adadelta: optim.Adadelta,
    Adam: optim.Adam,
    AdamW: optim.AdamW,
    Adamax: optim.Adamax,
    NAdam: optim.NAdam,
    RAdam: optim.RAdam,
  } as unknown as Record<string, new (p: Tensor[], o: object) => optim.Optimizer<object>>;
  return new classes[source](params, opts);
}
