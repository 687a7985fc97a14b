import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXPORT_MAX_SIZE, EXPORT_QUALITY, ON_EXISTING, type OnExisting } from '../common/contract';
import { ADJUSTMENT_RANGES } from '../engine/adjustments';
import type { Adjustments } from '../engine/types';
import { FORMAT_IDS, FORMATS, formatFromExtension, isImageFormat, type ImageFormat } from '../common/formats/index';

export interface CliOptions {
  inputs: string[];
  out?: string;
  /** Only the sliders given on the command line; the rest come from the model's manifest. */
  adjustments: Partial<Adjustments>;
  format?: ImageFormat;
  quality?: number;
  suffix: string;
  maxSize?: number;
  recursive: boolean;
  /** --on-existing (or --overwrite): what to do when an output's name is taken. */
  onExisting: OnExisting;
  json: boolean;
  model?: string;
  /** --jobs: at most this many photos at once; absent: automatic (node/concurrency.ts). */
  jobs?: number;
}

/** A command line we refuse: exit status 2. `message` is already fit for the user. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Thrown for --help / --version: print nothing more, exit 0. */
export class InfoDisplayed extends Error {}

/** Plain decimal notation only: Number() would also take "0x10", "1e3" and "  5 ". */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function numberIn(name: string, min: number, max: number, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!DECIMAL.test(value) || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      const what = integer ? 'an integer' : 'a number';
      throw new InvalidArgumentError(`${name} must be ${what} from ${min} to ${max}.`);
    }
    return n;
  };
}

function parseFormat(value: string): ImageFormat {
  // A format's id or one of its extensions ("jpg", "tif").
  const v = value.toLowerCase();
  const f = isImageFormat(v) ? v : /^[a-z0-9]+$/.test(v) ? formatFromExtension(`photo.${v}`) : undefined;
  if (f === undefined) throw new InvalidArgumentError(`format must be one of ${FORMAT_IDS.join(', ')}.`);
  return f;
}

/** The slider options, in --help order, with what each does; ranges come from the engine. */
const SLIDERS: Readonly<Record<keyof Adjustments, string>> = {
  strength: 'haze removal strength',
  distance: 'how far into the distance haze is removed',
  protect: 'protection of sky and bright flat areas',
  exposure: 'shadow exposure',
};
const SLIDER_KEYS = Object.keys(SLIDERS) as (keyof Adjustments)[];

function sliderOption(key: keyof Adjustments): Option {
  const [min, max] = ADJUSTMENT_RANGES[key];
  return new Option(`--${key} <n>`, `${SLIDERS[key]}, ${min}..${max} (default from the model)`).argParser(numberIn(`--${key}`, min, max, false));
}

/** What commander parses: the CLI options as they come, sliders at the top level. */
type ProgramOptions = Omit<CliOptions, 'inputs' | 'adjustments' | 'onExisting'> &
  Partial<Adjustments> & { onExisting?: OnExisting; overwrite: boolean };

export function buildProgram(version: string): Command {
  const program = new Command('hazeless')
    .description('Remove haze from photos. Inputs are files or folders; the originals are never modified.')
    .version(version, '-V, --version')
    .argument('<file|folder...>', `photos (${FORMATS.map((f) => f.label).join(', ')}) or folders of photos`)
    .option('-o, --out <dir>', 'output folder (created if needed); default: a "dehazed" folder beside each input');
  for (const key of SLIDER_KEYS) program.addOption(sliderOption(key));
  return program
    .addOption(new Option('--format <f>', `output format: ${FORMAT_IDS.join(' | ')} (default: same as the input)`).argParser(parseFormat))
    .addOption(new Option('--quality <n>', `quality ${EXPORT_QUALITY.min}..${EXPORT_QUALITY.max} for lossy formats (${FORMATS.filter((f) => f.lossy).map((f) => f.id).join(', ')})`).argParser(numberIn('--quality', EXPORT_QUALITY.min, EXPORT_QUALITY.max, true)))
    .option('--suffix <s>', 'added to the output file name ("" keeps the name)', '-dehazed')
    .addOption(
      new Option('--max-size <px>', `shrink the long edge on export to at most px, ${EXPORT_MAX_SIZE.min}..${EXPORT_MAX_SIZE.max} (never enlarges)`).argParser(
        numberIn('--max-size', EXPORT_MAX_SIZE.min, EXPORT_MAX_SIZE.max, true),
      ),
    )
    .option('-r, --recursive', 'descend into subfolders', false)
    .addOption(
      new Option(
        '--on-existing <policy>',
        'when an output name is taken: skip the photo (default), overwrite (only an earlier output of Hazeless, never an input or any other file) or rename (photo-dehazed (2).jpg)',
      ).choices(ON_EXISTING),
    )
    .option('--overwrite', 'short for --on-existing overwrite', false)
    .option('--json', 'print one JSON line per file instead of a progress bar', false)
    .option('--model <path>', 'the model to use instead of the shipped one: a manifest (.json), its .onnx, or a folder of models (the newest)')
    .addOption(new Option('--jobs <n>', 'photos processed at once, 1..256 (default: automatic, from the cores and the memory)').argParser(numberIn('--jobs', 1, 256, true)))
    .showHelpAfterError('(run hazeless --help for usage)')
    .allowExcessArguments(false);
}

/**
 * Parses argv (without node and the script). Throws UsageError for anything malformed and
 * InfoDisplayed after --help / --version; commander's own messages go to `writeErr`.
 */
export function parseCommandLine(argv: string[], version: string, io: { writeOut: (s: string) => void; writeErr: (s: string) => void }): CliOptions {
  const program = buildProgram(version)
    .exitOverride()
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') throw new InfoDisplayed();
      // Commander has already printed the message (and the hint).
      throw new UsageError(e.message);
    }
    throw e;
  }
  const o = program.opts<ProgramOptions>();
  const adjustments: Partial<Adjustments> = {};
  for (const key of SLIDER_KEYS) {
    if (o[key] !== undefined) adjustments[key] = o[key];
  }
  if (o.suffix.includes('/') || o.suffix.includes('\\')) {
    io.writeErr('error: --suffix must not contain a path separator\n');
    throw new UsageError('--suffix must not contain a path separator');
  }
  if (o.overwrite && o.onExisting !== undefined && o.onExisting !== 'overwrite') {
    io.writeErr(`error: --overwrite and --on-existing ${o.onExisting} contradict each other\n`);
    throw new UsageError('--overwrite contradicts --on-existing');
  }
  if (o.out === '') {
    io.writeErr('error: --out must not be empty\n');
    throw new UsageError('--out must not be empty');
  }
  return {
    inputs: program.args,
    out: o.out,
    adjustments,
    format: o.format,
    quality: o.quality,
    suffix: o.suffix,
    maxSize: o.maxSize,
    recursive: o.recursive,
    onExisting: o.onExisting ?? (o.overwrite ? 'overwrite' : 'skip'),
    json: o.json,
    model: o.model,
    jobs: o.jobs,
  };
}
