/**
 * descend/diagnostics: why an optimizer behaves as it does. Hessians as operators, spectra (dense, power
 * iteration, Lanczos, Hutchinson, spectral density), landscape analysis and loss slices, gradcheck.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from '../autograd/operators.js';
export * from './spectra.js';
export * from './landscape.js';
export * from './gradcheck.js';
export { jvp, jacrev, jacfwd, jacobian, hessian, hvp } from '../autograd/jacobian.js';
export { eigh, eigvalsh } from '../ops/primitives/linalg.js';
export * from './surfaces.js';
export { parseFormula, compileFormula, FORMULA_FUNCTIONS, type FormulaNode } from './formula.js';
export * from './race.js';
