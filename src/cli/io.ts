/** What the CLI's subcommands write to and read from (the process in `pm-action`; buffers in tests). */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  now?: () => Date;
  /** Merged into AWS clients' configuration (tests: credentials, request handlers). */
  awsClientConfig?: Record<string, unknown>;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    cwd: process.cwd()
  };
}

/** A terminal-safe rendering of a stored value: no control characters (escape sequences). */
export function plain(value: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (value ?? '-').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
