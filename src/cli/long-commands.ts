/** The commands that run in a worker thread (interrupt.ts), by name, with their options as plain data. */
import type { RunControl } from './interrupt.js';
import { trainCommand } from './train.js';
import { lmCommand, type LmCliOptions } from './lm.js';
import type { TrainCliOptions } from './train-config.js';
import { lmGloveCommand, type LmGloveCliOptions } from './lm-tools.js';

type Log = (s: string) => void;

export const LONG_COMMANDS: Record<string, (args: unknown[], log: Log, control: RunControl) => unknown> = {
  train: ([o], log, control) => trainCommand(o as TrainCliOptions, log, control),
  lm: ([o], log, control) => lmCommand(o as LmCliOptions, log, control),
  'lm glove': ([o], log, control) => lmGloveCommand(o as LmGloveCliOptions, log, control),
};
