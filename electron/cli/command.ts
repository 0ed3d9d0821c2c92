// The shape every `airlock` subcommand has. Commands get their output streams and environment
// passed in, so tests can run them in-process and read exactly what staff would see.

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface CliCommand {
  name: string;
  /** One line for `airlock --help`. */
  summary: string;
  /** Usage text shown on `airlock NAME --help` and on bad arguments. */
  usage: string;
  /** Returns the process exit code: 0 success, 1 refused/failed check, 2 bad usage. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** The real process's streams, working folder and environment. */
export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
}
