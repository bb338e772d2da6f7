// A small argv parser: `--name value`, `--name=value`, `--flag`, and positionals.
// Unknown options are errors that name the known ones, so a typo never runs silently.
// Also the value parsers more than one command shares (oneOf, mobilityArg).
import { PATTERNS } from '../sim/network/mobility';

export interface OptionSpec {
  name: string;
  kind: 'string' | 'number' | 'boolean';
  help: string;
  default?: string | number | boolean;
}

export interface Parsed {
  opts: Record<string, string | number | boolean | undefined>;
  positional: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const opts: Parsed['opts'] = {};
  for (const s of specs) opts[s.name] = s.default;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name}; known: ${specs.map((s) => `--${s.name}`).join(', ')}`);
    if (spec.kind === 'boolean') {
      opts[name] = eq < 0 ? true : a.slice(eq + 1) !== 'false';
      continue;
    }
    const raw = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (raw === undefined) throw new UsageError(`--${name} needs a value (${spec.help})`);
    if (spec.kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} takes a number, got '${raw}'`);
      opts[name] = n;
    } else {
      opts[name] = raw;
    }
  }
  return { opts, positional };
}

export function helpText(usage: string, about: string, specs: readonly OptionSpec[], examples: string[] = []): string {
  const lines = [`usage: ${usage}`, '', about, ''];
  if (specs.length) {
    lines.push('options:');
    const names = specs.map((s) => `  --${s.name}${s.kind === 'boolean' ? '' : ` <${s.kind}>`}`);
    const width = Math.max(26, ...names.map((n) => n.length + 2)); // a long name never runs into its help
    specs.forEach((s, i) => {
      const def = s.default === undefined ? '' : ` (default: ${s.default})`;
      lines.push(names[i].padEnd(width) + s.help + def);
    });
    lines.push('');
  }
  if (examples.length) lines.push('examples:', ...examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}

/**
 * A count given on the command line (--messages, --clients, ...): a whole number, at least `min` (1
 * unless said) and at most `max`; anything else is a usage error naming the option and the value.
 */
export function positiveInt(value: unknown, flag: string, { min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
  throw new UsageError(`${flag} takes ${range}, got ${String(value)}`);
}

/** A positive amount (a gap in ms, a rate): a finite number > 0; anything else is a usage error. */
export function positiveNumber(value: unknown, flag: string, unit: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isFinite(n) && n > 0) return n;
  throw new UsageError(`${flag} takes ${unit} > 0, got ${String(value)}`);
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${what} must be one of ${allowed.join(', ')}; got '${String(value)}'`);
}

/** --mobility: comma-separated pattern names (or none); an unknown one is a usage error that lists the known. */
export function mobilityArg(arg: unknown): string[] {
  const names = String(arg ?? 'none').split(',').map((x) => x.trim()).filter((x) => x && x !== 'none');
  for (const n of names) {
    if (!PATTERNS[n]) throw new UsageError(`unknown mobility pattern '${n}'; known: ${Object.keys(PATTERNS).join(', ')} (or none)`);
  }
  return names;
}
