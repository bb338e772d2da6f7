// The Redis handshakes the connection layer answers, as pure functions (the Gateway's own tests and
// test/server/real-clients-*.test.ts check them on the wire against real clients and redis-server).
import { describe, expect, it } from 'vitest';
import {
  client, config, echoesBytes, helloMap, info, parseHello, select, type ClientFields,
} from '../../src/connection/redis-compat';
import type { Platform } from '../../src/monitor/sink';
import { ReplyError, RespMap, SimpleString, type Reply } from '../../src/wire';

const err = (r: unknown) => (r instanceof ReplyError ? r.message : `not an error: ${String(r)}`);

describe('redis-compat: HELLO', () => {
  it('parses the protocol, AUTH and SETNAME in any order after the version', () => {
    expect(parseHello(['hello'])).toEqual({ proto: null, auth: null });
    expect(parseHello(['HELLO', '3'])).toEqual({ proto: 3, auth: null });
    expect(parseHello(['hello', '2', 'setname', 'app', 'AUTH', 'alice', 't'])).toEqual({
      proto: 2, auth: { user: 'alice', token: 't' }, name: 'app',
    });
  });

  it('refuses what Redis refuses, with its words', () => {
    expect(err(parseHello(['hello', '4']))).toBe('NOPROTO unsupported protocol version');
    expect(err(parseHello(['hello', 'x']))).toBe('ERR Protocol version is not an integer or out of range');
    expect(err(parseHello(['hello', '3', 'auth', 'alice']))).toBe("ERR Syntax error in HELLO option 'auth'");
    expect(err(parseHello(['hello', '3', 'bogus']))).toBe("ERR Syntax error in HELLO option 'bogus'");
    expect(err(parseHello(['hello', '3', 'setname', 'a b', 'auth', 'u', 't']))).toMatch(/^ERR Client names cannot contain spaces/);
  });

  it("answers the server's fields with the connection's protocol and id", () => {
    const m = helloMap('imsim', 3, 42);
    expect(m).toBeInstanceOf(RespMap);
    expect(Object.fromEntries(m.entries as [string, Reply][])).toEqual({
      server: 'imsim', version: '7.0.0', proto: 3, id: 42, mode: 'standalone', role: 'master', modules: [],
    });
  });
});

describe('redis-compat: CLIENT', () => {
  function conn() {
    const platforms: Platform[] = [];
    const c: ClientFields & { tag: string } = { id: 9, name: '', tag: 'mine' };
    const run = (...args: string[]) => client(c, ['client', ...args], (who, p) => {
      expect(who).toBe(c); // the connection itself, so the gateway can report it
      platforms.push(p);
    });
    return { c, platforms, run };
  }

  it('ID, SETNAME and GETNAME read and change the connection', () => {
    const t = conn();
    expect(t.run('id')).toBe(9);
    expect(t.run('getname')).toBe(null);
    expect(t.run('SETNAME', 'worker-1')).toEqual(new SimpleString('OK'));
    expect(t.run('getname')).toBe('worker-1');
    expect(err(t.run('setname', 'bad name'))).toMatch(/cannot contain spaces/);
    expect(t.c.name).toBe('worker-1');
  });

  it('SETINFO PLATFORM declares the platform; LIB-NAME and LIB-VER are accepted; others refused', () => {
    const t = conn();
    expect(t.run('setinfo', 'PLATFORM', 'iOS')).toEqual(new SimpleString('OK'));
    expect(t.platforms).toEqual(['ios']);
    expect(err(t.run('setinfo', 'platform', 'symbian'))).toBe("ERR Unrecognized platform 'symbian': ios, eios, android or wp");
    expect(t.run('setinfo', 'lib-name', 'ioredis')).toEqual(new SimpleString('OK'));
    expect(t.run('setinfo', 'lib-ver', '5')).toEqual(new SimpleString('OK'));
    expect(err(t.run('setinfo', 'color', 'red'))).toBe("ERR Unrecognized option 'color'");
    expect(t.platforms).toEqual(['ios']);
  });

  it('wrong arity and unknown subcommands as Redis words them', () => {
    const t = conn();
    expect(err(t.run('id', 'x'))).toBe("ERR wrong number of arguments for 'client|id' command");
    expect(err(t.run('getname', 'x'))).toBe("ERR wrong number of arguments for 'client|getname' command");
    expect(err(t.run('setname'))).toBe("ERR wrong number of arguments for 'client|setname' command");
    expect(err(t.run('setinfo', 'platform'))).toBe("ERR wrong number of arguments for 'client|setinfo' command");
    expect(err(t.run('kill'))).toBe("ERR unknown subcommand 'kill'. Try CLIENT HELP.");
  });
});

describe('redis-compat: CONFIG, SELECT, INFO, ECHO', () => {
  it('CONFIG GET matches glob patterns over the few settings it has', () => {
    const entries = (r: Reply) => (r as RespMap).entries;
    expect(entries(config(['config', 'GET', 'save']))).toEqual([['save', '']]);
    expect(entries(config(['config', 'get', '*']))).toEqual([['save', ''], ['appendonly', 'no'], ['databases', '1']]);
    expect(entries(config(['config', 'get', 'data?ases', 'APPEND*']))).toEqual([['appendonly', 'no'], ['databases', '1']]);
    expect(entries(config(['config', 'get', 'sa.e']))).toEqual([]); // '.' is literal
    expect(err(config(['config', 'get']))).toBe("ERR wrong number of arguments for 'config|get' command");
    expect(err(config(['config', 'set', 'x', 'y']))).toBe("ERR unknown subcommand 'set'. Try CONFIG HELP.");
  });

  it('SELECT: only 0 exists; integers as Redis writes them', () => {
    expect(select(['select', '0'])).toEqual(new SimpleString('OK'));
    expect(err(select(['select', '1']))).toBe('ERR DB index is out of range');
    expect(err(select(['select', '-1']))).toBe('ERR DB index is out of range');
    for (const bad of ['00', '+0', '-0', 'x', '', '1e3']) expect(err(select(['select', bad]))).toBe('ERR value is not an integer or out of range');
  });

  it('INFO has loading:0 and the gateway and its connections', () => {
    const text = info(3, 17);
    expect(text.split('\r\n')).toEqual(expect.arrayContaining(['redis_version:7.0.0', 'imsim_gateway:3', 'loading:0', 'connected_clients:17']));
  });

  it('only ECHO and PING (any case) echo their argument as bytes', () => {
    for (const n of ['echo', 'ECHO', 'Echo', 'ping', 'PING', 'pInG']) expect(echoesBytes(n)).toBe(true);
    for (const n of ['send', 'echo2', 'ech', 'pong', 'auth', 'ecgo', '']) expect(echoesBytes(n)).toBe(false);
  });
});
