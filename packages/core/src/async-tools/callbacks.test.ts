import { describe, expect, it } from 'vitest';
import { callbackToken, callbackUrl, isCallbackToken } from './callbacks.ts';

describe('callback tokens', () => {
  it('accept only the token made for this run and call under this secret', () => {
    const token = callbackToken('a-long-enough-secret', 'run-1', 'call-1-1');
    expect(isCallbackToken('a-long-enough-secret', 'run-1', 'call-1-1', token)).toBe(true);
    expect(isCallbackToken('a-long-enough-secret', 'run-1', 'call-1-2', token)).toBe(false);
    expect(isCallbackToken('a-long-enough-secret', 'run-2', 'call-1-1', token)).toBe(false);
    expect(isCallbackToken('another-long-secret!', 'run-1', 'call-1-1', token)).toBe(false);
    expect(isCallbackToken('a-long-enough-secret', 'run-1', 'call-1-1', `${token}x`)).toBe(false);
  });

  it('address the call on the configured callback server', () => {
    expect(callbackUrl('run 1', 'call-1-1', { CAIRN_CALLBACK_URL: 'https://hooks.example.com/cairn/' })).toBe('https://hooks.example.com/cairn/v1/callbacks/run%201/call-1-1');
    expect(callbackUrl('r', 'c', {})).toBe('http://127.0.0.1:7790/v1/callbacks/r/c');
  });
});
