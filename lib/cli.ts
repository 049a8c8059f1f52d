/**
 * Command line: `synth` renders a description into an output directory, `validate` only checks.
 * Exit codes: 0 success, 1 invalid description or failed output check, 2 usage error.
 * Every problem is printed as one `path: message` line on stderr; never a stack trace.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { MODEL_SOURCE } from './app/model-problems';
import { OutputCheckError } from './checks/types';
import { parseDescription, readDescriptionText } from './model/load';
import { DescriptionError, formatProblem, type Problem } from './model/problems';
import { renderCluster } from './render';
import { checkOutputDir, MARKER_FILE, OutputError, OutputRefusedError, parseMarker } from './output/writer';
import { synthesize } from './synth';
import { readRenderedDir, SCHEMA_SOURCE, validateRenderedDir } from './validate';
import { diffRender } from './validate/drift';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Monotonic milliseconds, for the summary line only. */
  readonly now: () => number;
}

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

const USAGE = [
  'usage: main.ts synth    [--config hostconfig/cluster.yaml] [--out dist]',
  '       main.ts validate [--config hostconfig/cluster.yaml] [--dir dist] [--crds ../shared/crds]',
  '       main.ts --help',
  '  synth renders the description into --out. It replaces only a directory that is new, empty or a previous',
  `  render (it holds ${MARKER_FILE}), never the working directory or a parent, a repository root, the`,
  "  description's directory, $HOME or /; concurrent runs on one --out take turns (a lock beside it).",
  '  validate checks the description and its render; with --dir (the default when --config is not given)',
  '  it also re-renders the description the directory was rendered from and reports every difference, checks',
  '  the directory against Kubernetes schemas and, with --crds, custom resources against CRDs.',
  '  Exit codes: 0 ok, 1 invalid description, failed check or file-system error, 2 usage error or refused --out.',
].join('\n');

interface Options {
  readonly command: 'synth' | 'validate' | 'help';
  readonly config: string;
  readonly out: string;
  /** validate: rendered directory to check, if any. */
  readonly dir?: string;
  /** validate: directory of CRDs for custom resources. */
  readonly crds?: string;
  /** synth run by cdk8s-cli (cdk8s.yaml's app command): also write the render into CDK8S_OUTDIR. */
  readonly cdk8sOutdir?: string;
  /** Whether --config was given. */
  readonly configGiven: boolean;
}

class UsageError extends Error {}

/** What the environment supplies (main.ts): CDK8S_OUTDIR as cdk8s-cli sets it. */
export interface CliEnvironment {
  /** The default output directory. @default 'dist' */
  readonly out?: string;
  /** CDK8S_OUTDIR, honoured only with `--cdk8s-cli` (the app command in cdk8s.yaml). */
  readonly cdk8sOutdir?: string;
}

function parseArgs(argv: readonly string[], defaults: CliEnvironment = {}): Options {
  if (argv.some((a) => a === '--help' || a === '-h' || a === 'help')) return { command: 'help', config: '', out: '', configGiven: false };
  const [command, ...rest] = argv;
  if (command !== 'synth' && command !== 'validate') {
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)}; use synth or validate` : 'missing command; use synth or validate');
  }
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const allowed = command === 'synth' ? 'config|out' : 'config|dir|crds';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (command === 'synth' && arg === '--cdk8s-cli') {
      if (flags.has('cdk8s-cli')) throw new UsageError('--cdk8s-cli is given twice; give it once');
      flags.add('cdk8s-cli');
      continue;
    }
    const match = new RegExp(`^--(${allowed})(?:=(.*))?$`).exec(arg);
    if (!match) throw new UsageError(`unknown argument ${JSON.stringify(arg).slice(0, 80)}; see --help`);
    const value = match[2] ?? rest[++i];
    if (value === undefined || value === '') throw new UsageError(`--${match[1]} needs a value`);
    if (match[1] in values) throw new UsageError(`--${match[1]} is given twice; give it once`);
    values[match[1]] = value;
  }
  let cdk8sOutdir: string | undefined;
  if (flags.has('cdk8s-cli')) {
    if (!defaults.cdk8sOutdir)
      throw new UsageError('--cdk8s-cli is for the app command in cdk8s.yaml and needs CDK8S_OUTDIR; run npx cdk8s synth, or npm run synth without it');
    cdk8sOutdir = defaults.cdk8sOutdir;
  }
  const dir = command === 'validate' ? (values.dir ?? (values.config === undefined ? 'dist' : undefined)) : undefined;
  return {
    command,
    config: values.config ?? 'hostconfig/cluster.yaml',
    configGiven: values.config !== undefined,
    out: values.out ?? defaults.out ?? 'dist',
    dir,
    crds: values.crds,
    cdk8sOutdir,
  };
}

const shown = (dir: string) => `${relative(process.cwd(), dir) || '.'}/`;

function printProblems(io: CliIo, header: string, problems: readonly Problem[]): void {
  io.err(header);
  for (const problem of problems) io.err(formatProblem(problem));
}

export async function runCli(argv: readonly string[], io: CliIo, defaults: CliEnvironment = {}): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv, defaults);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}`);
    io.err(USAGE);
    return EXIT_USAGE;
  }
  if (options.command === 'help') {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (options.command === 'synth' && !options.cdk8sOutdir && defaults.cdk8sOutdir) {
    io.err(
      `warning: CDK8S_OUTDIR=${defaults.cdk8sOutdir} is ignored: only npx cdk8s synth (cdk8s.yaml) uses it; writing ${shown(options.out)} (choose with --out)`,
    );
  }
  const targets =
    options.command === 'synth'
      ? [options.out, ...(options.cdk8sOutdir && resolve(options.cdk8sOutdir) !== resolve(options.out) ? [options.cdk8sOutdir] : [])]
      : [];
  // What to say about the output when nothing new is written: cdk8s-cli removes its output directory before
  // it runs the app, so under cdk8s-cli "nothing was written" must not hide that.
  const leftAlone = (): string => {
    if (!options.cdk8sOutdir) return 'nothing was written';
    if (resolve(options.cdk8sOutdir) === resolve(options.out)) {
      return `nothing was written; cdk8s-cli deleted ${shown(options.out)} before running the app: render it again with npm run synth once the problems are fixed`;
    }
    return `nothing was written to ${shown(options.out)} (left as it was); cdk8s-cli emptied only its scratch directory ${shown(options.cdk8sOutdir)}`;
  };
  const started = io.now();
  try {
    // Refuse a dangerous --out before doing any work (the writer checks again under its lock).
    for (const target of targets) {
      const reason = checkOutputDir(target, { descriptionFile: options.config });
      if (reason) throw new OutputRefusedError(target, reason);
    }
    if (options.command === 'validate') return validate(options, io);
    const text = readDescriptionText(options.config);
    const model = parseDescription(text, options.config);
    const result = await synthesize(model, targets, { source: { file: options.config, content: text } });
    for (const warning of result.warnings) io.err(`warning: ${warning}`);
    const manifests = result.files.filter((f) => !f.path.includes('/') && /\.ya?ml$/.test(f.path)).length;
    const hosts = new Set(result.files.filter((f) => f.path.startsWith('hosts/')).map((f) => f.path.split('/')[1])).size;
    const written = targets.filter((target) => !result.unchanged.includes(target));
    const what = `${result.objects.length} Kubernetes objects in ${manifests} manifest files, files for ${hosts} hosts, README.md`;
    const unchanged = result.unchanged.map(shown).join(' and ');
    const ms = Math.round(io.now() - started);
    io.out(
      written.length
        ? `wrote ${result.files.length} files to ${written.map(shown).join(' and ')}: ${what}${unchanged ? `; ${unchanged} already held them` : ''} (${ms} ms)`
        : `${unchanged} ${result.unchanged.length > 1 ? 'are up to date: they already hold' : 'is up to date: it already holds'} these ${result.files.length} files (${what}), so nothing was written (${ms} ms)`,
    );
    return EXIT_OK;
  } catch (error) {
    if (error instanceof DescriptionError) {
      const file = error.file === MODEL_SOURCE ? options.config : error.file;
      printProblems(io, `${file}: ${error.problems.length} problem(s); ${leftAlone()}`, error.problems);
      return EXIT_INVALID;
    }
    if (error instanceof OutputCheckError) {
      printProblems(io, `${options.config}: the rendered output failed ${error.problems.length} check(s); ${leftAlone()}`, error.problems);
      return EXIT_INVALID;
    }
    if (error instanceof OutputRefusedError) {
      io.err(`${error.message}; choose a new or empty directory, or one a previous synth wrote (it holds ${MARKER_FILE})`);
      return EXIT_USAGE;
    }
    if (error instanceof OutputError) {
      io.err(`${error.message}; ${shown(options.out)} was left as it was or restored`);
      return EXIT_INVALID;
    }
    io.err(`error: ${(error as Error).message ?? String(error)}`);
    return EXIT_INVALID;
  }
}

/** `validate`: the description; with --dir, the directory against a fresh render of its recorded description, and its schemas. */
function validate(options: Options, io: CliIo): number {
  const dir = options.dir;
  let config = options.config;
  const problems: Problem[] = [];
  if (dir !== undefined && !options.configGiven) {
    const marker = readMarker(dir);
    if (!marker?.description) {
      printProblems(io, `${dir}: 1 problem(s)`, [
        {
          path: MARKER_FILE,
          message: `missing or records no description, so ${dir} cannot be compared with its source; render it with npm run synth, or give --config`,
        },
      ]);
      return EXIT_INVALID;
    }
    config = join(dir, marker.description);
  }
  const text = readDescriptionText(config);
  const model = parseDescription(text, config);
  const result = renderCluster(model);
  io.out(`${config}: valid (${model.hosts.length} hosts, ${result.objects.length} Kubernetes objects, ${result.checks.length} output checks held)`);
  if (dir === undefined) return EXIT_OK;
  const marker = readMarker(dir);
  const hash = createHash('sha256').update(text).digest('hex');
  if (marker?.sha256 && marker.sha256 !== hash) {
    problems.push({ path: MARKER_FILE, message: `${config} changed since this render (sha256 differs): the render is stale; run npm run synth` });
  }
  if (existsSync(dir)) problems.push(...diffRender(result.files, readRenderedDir(dir)));
  problems.push(...validateRenderedDir(dir, { crdsDir: options.crds, kubernetesMinor: model.kubernetes.minor, partOf: model.output.partOf }));
  if (problems.length) {
    printProblems(io, `${dir}: ${problems.length} problem(s)`, problems);
    return EXIT_INVALID;
  }
  io.out(
    `${dir}: valid (identical to a fresh render of ${config}; Kubernetes v${SCHEMA_SOURCE.kubernetes} API schemas from ${SCHEMA_SOURCE.package}${options.crds ? `, CRDs from ${options.crds}` : ''}, served by v${model.kubernetes.minor})`,
  );
  return EXIT_OK;
}

function readMarker(dir: string) {
  try {
    return parseMarker(readFileSync(join(dir, MARKER_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}
