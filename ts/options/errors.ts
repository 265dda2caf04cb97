// Owns the error for bad command-line input: the command line prints its message without a stack
// trace and exits with code 2.

/** An error in the user's arguments: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
