/** The 2-D test functions of the lectures' optimizer comparisons, with plot ranges, starts and minima. */
import type { Tensor } from '../tensor/tensor.js';
import { compileFormula } from './formula.js';
import { ValueError } from '../errors.js';

export interface TestFunction {
  name: string;
  f: (p: Tensor) => Tensor;
  xRange: [number, number];
  yRange: [number, number];
  start: [number, number];
  minima: [number, number][];
  /** The minimum value (for the tolerance test), if known. */
  fMin?: number;
}

const x = (p: Tensor) => p.index(0);
const y = (p: Tensor) => p.index(1);

export const FUNCTION_NAMES = [
  'quadratic',
  'rosenbrock',
  'beale',
  'himmelblau',
  'saddle',
  'plateau',
  'formula',
] as const;

/** The named test function (`kappa` sets the quadratic's condition number). */
export function testFunction(name: string, opts: { kappa?: number; formula?: string } = {}): TestFunction {
  switch (name) {
    case 'quadratic': {
      const k = opts.kappa ?? 10;
      return {
        name: `quadratic (condition number ${k})`,
        f: (p) => x(p).pow(2).add(y(p).pow(2).mul(k)).mul(0.5),
        xRange: [-4, 4],
        yRange: [-3, 3],
        start: [-3.5, 2],
        minima: [[0, 0]],
        fMin: 0,
      };
    }
    case 'rosenbrock':
      return {
        name: 'Rosenbrock',
        f: (p) =>
          x(p)
            .neg()
            .add(1)
            .pow(2)
            .add(y(p).sub(x(p).pow(2)).pow(2).mul(100)),
        xRange: [-2, 2],
        yRange: [-1, 3],
        start: [-1.5, 2],
        minima: [[1, 1]],
        fMin: 0,
      };
    case 'beale': {
      // (c - x (1 - y^k))^2 summed over (c, k) = (1.5, 1), (2.25, 2), (2.625, 3).
      const t = (p: Tensor, c: number, k: number) => x(p).mul(y(p).pow(k).neg().add(1)).neg().add(c).pow(2);
      return {
        name: 'Beale',
        f: (p) =>
          t(p, 1.5, 1)
            .add(t(p, 2.25, 2))
            .add(t(p, 2.625, 3)),
        xRange: [-4.5, 4.5],
        yRange: [-4.5, 4.5],
        start: [1, 1.5],
        minima: [[3, 0.5]],
        fMin: 0,
      };
    }
    case 'himmelblau':
      return {
        name: 'Himmelblau',
        f: (p) =>
          x(p)
            .pow(2)
            .add(y(p))
            .sub(11)
            .pow(2)
            .add(x(p).add(y(p).pow(2)).sub(7).pow(2)),
        xRange: [-5, 5],
        yRange: [-5, 5],
        start: [-0.5, -0.5],
        minima: [
          [3, 2],
          [-2.805118, 3.131312],
          [-3.77931, -3.283186],
          [3.584428, -1.848126],
        ],
        fMin: 0,
      };
    case 'saddle':
      return {
        name: 'saddle x^2 - y^2',
        f: (p) => x(p).pow(2).sub(y(p).pow(2)),
        xRange: [-2, 2],
        yRange: [-2, 2],
        start: [-1.5, 0.01],
        minima: [],
      };
    case 'plateau':
      // 1 - exp(-r²/2): the gradient vanishes far from the minimum, so first-order methods stall there.
      return {
        name: 'plateau 1 - exp(-(x^2+y^2)/2)',
        f: (p) => x(p).pow(2).add(y(p).pow(2)).mul(-0.5).exp().neg().add(1),
        xRange: [-4, 4],
        yRange: [-4, 4],
        start: [3, 2.5],
        minima: [[0, 0]],
        fMin: 0,
      };
    case 'formula': {
      if (!opts.formula)
        throw new ValueError('testFunction', "the formula surface needs opts.formula, e.g. 'x^2 + 3*y^2'");
      return {
        name: opts.formula,
        f: compileFormula(opts.formula),
        xRange: [-3, 3],
        yRange: [-3, 3],
        start: [-2, 2],
        minima: [],
      };
    }
    default:
      throw new ValueError(
        'testFunction',
        `unknown function '${name}'; choose one of ${FUNCTION_NAMES.join(', ')}`,
      );
  }
}
