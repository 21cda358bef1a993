/** The innermost message of a failure chain: child failure → activity failure → the application failure that says what happened. */
export function failureMessage(error: unknown): string {
  let current = error as Error | undefined;
  while (current?.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}
