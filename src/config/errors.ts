/**
 * A problem the user must fix in their configuration (an input, a flag, the policy file).
 * The message is shown as is, without a stack trace, so it must say what is wrong and how to fix it.
 */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
