/** Differential privacy: DP-SGD for any optimizer and the RDP accountant. */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './rdp.js';
export * from './dp-sgd.js';
