import { describe, expect, it } from 'vitest';
import { isPrivateAddress, privateAddressOf } from './address-guard.ts';

describe('isPrivateAddress', () => {
  it('flags loopback, private, link-local and reserved IPv4', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
  });

  it('lets public IPv4 through', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '93.184.216.34']) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('flags IPv6 loopback, unique-local, link-local and mapped private IPv4', () => {
    for (const ip of ['::1', '::', '[::1]', 'fc00::1', 'fd12:3456::1', 'fe80::1%eth0', 'ff02::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
  });

  it('lets public IPv6 through', () => {
    for (const ip of ['2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8']) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('ignores what is not an IP address', () => {
    expect(isPrivateAddress('example.org')).toBe(false);
  });
});

describe('privateAddressOf', () => {
  it('checks literal hosts without DNS, including the forms URL parsing normalises', async () => {
    expect(await privateAddressOf(new URL('http://127.0.0.1:8080/'))).toBe('127.0.0.1');
    expect(await privateAddressOf(new URL('http://2130706433/'))).toBe('127.0.0.1');
    expect(await privateAddressOf(new URL('http://[::1]/'))).toBe('::1');
    expect(await privateAddressOf(new URL('http://8.8.8.8/'))).toBeUndefined();
  });

  it('resolves names', async () => {
    expect(await privateAddressOf(new URL('http://localhost/'))).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
