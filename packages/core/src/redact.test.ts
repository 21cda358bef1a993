import { describe, expect, it } from 'vitest';
import { redact, redactUrl, secretValues, withoutSecrets } from './redact.ts';

describe('redact', () => {
  const env = { OPENAI_API_KEY: 'sk-live-0123456789abcdef', MY_SERVICE_TOKEN: 'tok_987654321', HOME: '/home/ada', SHORT_TOKEN: 'abc' };

  it('removes the values of secret variables, wherever they appear', () => {
    const secrets = secretValues(env);
    expect(secrets).toEqual(['sk-live-0123456789abcdef', 'tok_987654321']);
    expect(redact('Incorrect API key provided: sk-live-0123456789abcdef. Also tok_987654321.', secrets)).toBe(
      'Incorrect API key provided: [redacted]. Also [redacted].',
    );
  });

  it.each([
    ['a bearer token', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [redacted]'],
    ['URL credentials', 'Could not reach OpenAI at https://ada:hunter22@llm.internal/v1: refused', 'Could not reach OpenAI at https://[redacted]@llm.internal/v1: refused'],
    ['a user without a password', 'postgres://ada@db/cairn', 'postgres://[redacted]@db/cairn'],
    ['a key-shaped string', 'key sk-ant-api03-AAAAAAAAAAAAAAAAAAAA is invalid', 'key sk-ant-[redacted] is invalid'],
  ])('removes %s', (_name, text, expected) => {
    expect(redact(text, [])).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    expect(redact('The sum is 5; see https://example.org/a?b=c for more.', [])).toBe('The sum is 5; see https://example.org/a?b=c for more.');
  });

  it('prints URLs without their credentials', () => {
    expect(redactUrl('http://ada:hunter22@127.0.0.1:8080/v1')).toBe('http://127.0.0.1:8080/v1');
    expect(redactUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1');
  });

  it('gives child processes an environment without secrets', () => {
    expect(withoutSecrets({ ...env, OPENAI_BASE_URL: 'http://a:b@h' })).toEqual({ HOME: '/home/ada' });
  });
});
