/** Global switches for autodiff: grad mode (recording) and anomaly detection. */

let gradEnabled = true;
let anomaly = false;

/** Whether ops currently record the graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Turns recording on or off for the rest of the program (prefer `noGrad(fn)`, which restores it).
 * @example
 * setGradEnabled(false); // like torch.set_grad_enabled(False)
 */
export function setGradEnabled(on: boolean): void {
  gradEnabled = on;
}

/** Runs `fn` with grad mode set to `on`, restoring the previous mode afterwards (even on throw). */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = on;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording the graph, like `with torch.no_grad()`: results do not require grad.
 * Optimizers update parameters in here.
 * @example
 * const w = randn([3], { requiresGrad: true });
 * w.pow(2).sum().backward();
 * noGrad(() => w.sub_(w.grad!.mul(0.1)));
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording on, even inside `noGrad`, like `torch.enable_grad()`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

export function isAnomalyEnabled(): boolean {
  return anomaly;
}

/**
 * Anomaly mode, like `torch.autograd.set_detect_anomaly`: ops remember where they were created, and
 * backward throws an `AnomalyError` naming the op whose gradient first holds NaN or Inf.
 * @example
 * setDetectAnomaly(true);
 */
export function setDetectAnomaly(on: boolean): void {
  anomaly = on;
}

/** Runs `fn` with anomaly mode on, restoring the previous setting afterwards. */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomaly;
  anomaly = true;
  try {
    return fn();
  } finally {
    anomaly = prev;
  }
}
