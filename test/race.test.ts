import { describe, expect, it } from 'vitest';
import { ValueError } from '../src/errors.js';
import { compileFormula, runRace, testFunction, FUNCTION_NAMES } from '../src/diagnostics/index.js';
import { tensor } from '../src/tensor/creation.js';

describe('test surfaces and the optimizer race', () => {
  it('every surface is 0 at its listed minima (when it has a known minimum value)', () => {
    for (const name of FUNCTION_NAMES) {
      const fn = testFunction(name, { formula: 'x^2 + 3*y^2' });
      for (const m of fn.minima)
        expect(fn.f(tensor(m, { dtype: 'float64' })).item()).toBeCloseTo(fn.fMin ?? 0, 5);
    }
  });

  it('the plateau stalls plain GD where Adam, which normalizes the gradient, gets out', () => {
    const fn = testFunction('plateau');
    const [sgd, adam] = runRace(fn, ['sgd', 'adam'], { steps: 200, tol: 1e-3, lrs: { sgd: 0.5, adam: 0.1 } });
    expect(sgd!.losses.at(-1)).toBeGreaterThan(0.9); // still on the plateau
    expect(adam!.stepsToTol).not.toBeNull();
  });

  it('passes hyperparameters to the optimizer: momentum 0 is plain SGD, and it changes the path', () => {
    const fn = testFunction('quadratic', { kappa: 10 });
    const opts = { steps: 30, tol: 1e-6, lrs: { sgd: 0.05, momentum: 0.05 } };
    const [plain] = runRace(fn, ['sgd'], opts);
    const [m0] = runRace(fn, ['momentum'], { ...opts, options: { momentum: { momentum: 0 } } });
    const [m9] = runRace(fn, ['momentum'], opts);
    expect(m0!.path).toEqual(plain!.path);
    expect(m9!.path[5]).not.toEqual(plain!.path[5]);
  });

  it('names the op and the bad value in its errors', () => {
    expect(() => runRace(testFunction('saddle'), ['sdg'], { steps: 1, tol: 0 })).toThrow(
      /runRace: unknown optimizer 'sdg'/,
    );
    expect(() => testFunction('banana')).toThrow(ValueError);
    expect(() => testFunction('formula')).toThrow(/testFunction: the formula surface needs opts.formula/);
    expect(() => compileFormula('x + foo(y)')).toThrow(/formula: cannot parse formula .* unknown name 'foo'/);
    // An operator where an operand belongs is named as such, not as an unknown name.
    expect(() => compileFormula('x*/y')).toThrow(
      "formula: cannot parse formula 'x*/y': expected a number, a name or '(' at token 3, found '/'",
    );
    expect(() => compileFormula('x+)')).toThrow(/expected a number, a name or '\(' at token 3, found '\)'/);
  });
});
