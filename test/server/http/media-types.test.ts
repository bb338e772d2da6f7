import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES, mediaType } from '../../../src/server/http/media-types';

const h = (hex: string) => Buffer.from(hex.replace(/ /g, ''), 'hex');
const a = (s: string) => Buffer.from(s, 'latin1');
const SAMPLES: Record<string, Buffer> = {
  'image/png': h('89 50 4e 47 0d 0a 1a 0a 00 00'),
  'image/jpeg': h('ff d8 ff db 00'),
  'image/gif': a('GIF89a\x01\x00'),
  'image/webp': a('RIFF\x10\x00\x00\x00WEBPVP8 '),
  'audio/amr': a('#!AMR\n\x3c'),
  'audio/aac': h('ff f1 50 80 02'),
  'audio/mp4': a('\x00\x00\x00\x20ftypM4A '),
  'audio/mpeg': a('ID3\x04\x00'),
  'audio/ogg': a('OggS\x00\x02'),
  'audio/wav': a('RIFF\x24\x00\x00\x00WAVEfmt '),
};

describe('media types', () => {
  it('each accepted type recognises its own signature', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(MEDIA_TYPES.map((t) => t.type).sort());
    for (const t of MEDIA_TYPES) expect(t.sniff(SAMPLES[t.type]), t.type).toBe(true);
  });

  it('and no other image type claims it (the voice formats with frame syncs may overlap each other, never an image)', () => {
    for (const t of MEDIA_TYPES) {
      for (const [type, bytes] of Object.entries(SAMPLES)) {
        if (type !== t.type && (t.family === 'image' || type.startsWith('image/'))) expect(t.sniff(bytes), `${t.type} on ${type}`).toBe(false);
      }
    }
    expect(MEDIA_TYPES.some((t) => t.sniff(a('%PDF-1.7')))).toBe(false);
    expect(MEDIA_TYPES.some((t) => t.sniff(Buffer.alloc(0)))).toBe(false);
  });

  it('reads a Content-Type header with parameters and any case', () => {
    expect(mediaType('Image/PNG; charset=binary')?.type).toBe('image/png');
    expect(mediaType('text/plain')).toBeUndefined();
    expect(mediaType(undefined)).toBeUndefined();
  });
});
