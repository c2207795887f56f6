/**
 * Parses `--name N` pairs over `defaults` (whose keys are the only names allowed); every value must be
 * a whole number of at least `min`.
 */
export function parseBenchArgs<A extends Record<string, number>>(argv: string[], defaults: A, min = 1): A {
  const args: A = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (key === undefined || !(key in args) || !Number.isInteger(value) || value < min) {
      throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    }
    (args as Record<string, number>)[key] = value;
  }
  return args;
}
