/**
 * PyTorch's learning-rate schedulers (torch.optim.lr_scheduler), driving an optimizer's param groups:
 * `scheduler.step()` after `optimizer.step()`, `getLastLr()`, `stateDict()`. Each keeps PyTorch's
 * recursive ("chainable") update, so the numbers match PyTorch's to the last bits, including
 * CosineAnnealingLR going back up past tMax. Closed forms are used where PyTorch uses them
 * (`step(epoch)`, SequentialLR's milestones).
 * @example
 * const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
 * const sched = new CosineAnnealingLR(opt, { tMax: 100 });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   opt.zeroGrad(); loss().backward(); opt.step(); sched.step();
 * }
 */
export { LRScheduler, type SchedulableOptimizer } from './base.js';
export * from './step-family.js';
export * from './cosine.js';
export * from './combinators.js';
export * from './cyclic.js';
export * from './plateau.js';
