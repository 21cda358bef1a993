/**
 * One redaction step for every text that leaves a provider or a tool on its
 * way to history, logs or the terminal. Providers echo keys in 401 bodies,
 * connection errors quote base URLs with their credentials, and once in a
 * run's history a secret is copied to every worker, log and backup.
 */

/** Environment variables whose values are secrets, by name. */
const secretName = /(API_KEY|_TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;
/** Shorter values are too likely to occur in ordinary text to be replaced. */
const minSecretLength = 8;

export const redacted = '[redacted]';

/** The values of secret-looking variables in `env`, longest first. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => secretName.test(name) && value !== undefined && value.trim().length >= minSecretLength)
    .map(([, value]) => value!.trim())
    .sort((a, b) => b.length - a.length);
}

/**
 * `text` without known secret values, bearer tokens, credentials in URLs and
 * strings shaped like provider keys.
 */
export function redact(text: string, secrets: readonly string[] = secretValues()): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(redacted);
  return out
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${redacted}`)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi, `$1${redacted}@`)
    .replace(/\b(sk-(?:ant-|proj-)?|tvly-|xai-|gsk_|AIza)[A-Za-z0-9_-]{12,}/g, `$1${redacted}`);
}

/** A URL fit to print: without its user name and password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return redact(url);
  }
}

/** `env` without the secrets: for child processes that need none, such as the Temporal server. */
export function withoutSecrets(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !secretName.test(name) && !/_BASE_URL$|^SEARXNG_URL$/.test(name)));
}
