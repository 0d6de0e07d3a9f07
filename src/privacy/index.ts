/** Differential privacy: DP-SGD for any optimizer and the RDP accountant. */
export * from './rdp.js';
export * from './dp-sgd.js';
