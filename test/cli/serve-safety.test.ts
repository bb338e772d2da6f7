// `imsim serve`'s guards for the real runtime: no public default secret on an address other machines
// reach. Checked before anything listens (nothing here binds a non-loopback address).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { isLoopback, serveCommand } from '../../src/cli/serve';

describe('imsim serve --host with the default secret', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'example.com', '10.0.0.1'])('refuses --host %s without --secret, saying to pass one', async (host) => {
    const run = serveCommand(['--host', host, '--port', '0']);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(serveCommand(['--host', host, '--port', '0'])).rejects.toThrow(/default secret is public[\s\S]*Pass --secret/);
  });

  it('refuses it for a connection process too (its logic processes check tokens with the same public secret)', async () => {
    await expect(serveCommand(['--role', 'connection', '--redis', 'redis://127.0.0.1:1', '--host', '0.0.0.0', '--port', '0'])).rejects.toThrow(/Pass --secret/);
  });

  it('lets it through with --secret (the run then stops at the bad port, before anything listens)', async () => {
    const err = process.stderr.write;
    let said = '';
    process.stderr.write = ((t: string) => ((said += t), true)) as typeof process.stderr.write;
    try {
      expect(await serveCommand(['--host', '0.0.0.0', '--secret', 's3cret', '--port', '99999'])).toBe(1);
    } finally {
      process.stderr.write = err;
    }
    expect(said).toMatch(/port/i);
    expect(said).not.toContain('--secret');
  });

  it('tells loopback addresses from the others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '', '128.0.0.1', '127.0.0.1.evil.com', '::ffff:10.0.0.1', '192.168.0.1']) expect(isLoopback(h)).toBe(false);
  });
});
