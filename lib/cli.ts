/**
 * Command line: `synth` renders a description into an output directory, `validate` only checks.
 * Exit codes: 0 success, 1 invalid description or failed output check, 2 usage error.
 * Every problem is printed as one `path: message` line on stderr; never a stack trace.
 */
import { relative } from 'node:path';
import { OutputCheckError } from './checks/types';
import { loadDescription } from './model/load';
import { DescriptionError, formatProblem } from './model/problems';
import { renderCluster } from './render';
import { writeOutput } from './output/writer';
import { SCHEMA_SOURCE, validateRenderedDir } from './validate';

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
  '  validate checks the description and its render; with --dir (the default when --config is not given)',
  '  it also checks a rendered directory against Kubernetes schemas and, with --crds, custom resources against CRDs.',
].join('\n');

interface Options {
  readonly command: 'synth' | 'validate';
  readonly config: string;
  readonly out: string;
  /** validate: rendered directory to check, if any. */
  readonly dir?: string;
  /** validate: directory of CRDs for custom resources. */
  readonly crds?: string;
}

class UsageError extends Error {}

export function parseArgs(argv: readonly string[], defaults: { out: string }): Options {
  const [command, ...rest] = argv;
  if (command !== 'synth' && command !== 'validate') throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  const values: Record<string, string> = { out: defaults.out };
  const allowed = command === 'synth' ? 'config|out' : 'config|dir|crds';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const match = new RegExp(`^--(${allowed})(?:=(.*))?$`).exec(arg);
    if (!match) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const value = match[2] ?? rest[++i];
    if (value === undefined || value === '') throw new UsageError(`--${match[1]} needs a value`);
    values[match[1]] = value;
  }
  const dir = command === 'validate' ? values.dir ?? (values.config === undefined ? 'dist' : undefined) : undefined;
  return { command, config: values.config ?? 'hostconfig/cluster.yaml', out: values.out, dir, crds: values.crds };
}

export function runCli(argv: readonly string[], io: CliIo, defaults: { out: string } = { out: 'dist' }): number {
  let options: Options;
  try {
    options = parseArgs(argv, defaults);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`error: ${error.message}`);
    io.err(USAGE);
    return EXIT_USAGE;
  }
  const started = io.now();
  try {
    const model = loadDescription(options.config);
    const result = renderCluster(model);
    if (options.command === 'validate') {
      io.out(`${options.config}: valid (${model.hosts.length} hosts, ${result.objects.length} Kubernetes objects, ${result.checks.length} output checks held)`);
      if (options.dir === undefined) return EXIT_OK;
      const problems = validateRenderedDir(options.dir, { crdsDir: options.crds, kubernetesMinor: model.kubernetes.minor, partOf: model.output.partOf });
      if (problems.length) {
        io.err(`${options.dir}: ${problems.length} problem(s)`);
        for (const problem of problems) io.err(formatProblem(problem));
        return EXIT_INVALID;
      }
      io.out(`${options.dir}: valid (Kubernetes v${SCHEMA_SOURCE.kubernetes} API schemas from ${SCHEMA_SOURCE.package}${options.crds ? `, CRDs from ${options.crds}` : ''}, served by v${model.kubernetes.minor})`);
      return EXIT_OK;
    }
    for (const warning of result.warnings) io.err(`warning: ${warning}`);
    writeOutput(options.out, result.files);
    const manifests = result.files.filter((f) => !f.path.includes('/') && /\.ya?ml$/.test(f.path)).length;
    const hosts = new Set(result.files.filter((f) => f.path.startsWith('hosts/')).map((f) => f.path.split('/')[1])).size;
    io.out(
      `wrote ${result.files.length} files to ${relative(process.cwd(), options.out) || '.'}/: ${result.objects.length} Kubernetes objects in ${manifests} manifest files, files for ${hosts} hosts, README.md (${Math.round(io.now() - started)} ms)`,
    );
    return EXIT_OK;
  } catch (error) {
    if (error instanceof DescriptionError) {
      io.err(`${error.file}: ${error.problems.length} problem(s); nothing was written`);
      for (const problem of error.problems) io.err(formatProblem(problem));
      return EXIT_INVALID;
    }
    if (error instanceof OutputCheckError) {
      io.err(`${options.config}: the rendered output failed ${error.problems.length} check(s); nothing was written`);
      for (const problem of error.problems) io.err(formatProblem(problem));
      return EXIT_INVALID;
    }
    io.err(`error: ${(error as Error).message ?? String(error)}`);
    return EXIT_INVALID;
  }
}
