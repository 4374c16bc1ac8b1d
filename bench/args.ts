/** Command-line options shared by the benches. */

/**
 * The positive number after `name` in `args` (`--frames 30`), or `fallback` when `name` is absent;
 * whole numbers only unless `fractional`. A bad value throws rather than benchmark the wrong thing.
 */
export function positiveArg(
  args: readonly string[],
  name: string,
  fallback: number,
  opts: { fractional?: boolean } = {},
): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (opts.fractional ? !Number.isFinite(v) || v <= 0 : !Number.isInteger(v) || v <= 0)
    throw new Error(`${name} needs a positive ${opts.fractional ? 'number' : 'integer'}`);
  return v;
}
