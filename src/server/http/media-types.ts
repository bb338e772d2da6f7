// The media the HTTP side accepts: images and voice clips, each type recognised by its first bytes
// (the declared Content-Type must match what the body is), with a size limit per family.
// Signatures: the formats' own specs (PNG, JFIF/EXIF, GIF87a/89a, RIFF WEBP/WAVE, AMR RFC 4867 §5,
// ADTS, ISO BMFF `ftyp`, MPEG audio frame sync / ID3v2, Ogg `OggS`).

export type MediaFamily = 'image' | 'voice';

export interface MediaType {
  type: string;
  family: MediaFamily;
  /** True when the bytes start as this format does. */
  sniff(b: Uint8Array): boolean;
}

const ascii = (b: Uint8Array, at: number, s: string) => {
  if (b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

export const MEDIA_TYPES: readonly MediaType[] = [
  { type: 'image/png', family: 'image', sniff: (b) => ascii(b, 0, '\x89PNG\r\n\x1a\n') },
  { type: 'image/jpeg', family: 'image', sniff: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', family: 'image', sniff: (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a') },
  { type: 'image/webp', family: 'image', sniff: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP') },
  { type: 'audio/amr', family: 'voice', sniff: (b) => ascii(b, 0, '#!AMR\n') || ascii(b, 0, '#!AMR-WB\n') },
  { type: 'audio/aac', family: 'voice', sniff: (b) => b.length >= 2 && b[0] === 0xff && (b[1] & 0xf6) === 0xf0 },
  { type: 'audio/mp4', family: 'voice', sniff: (b) => ascii(b, 4, 'ftyp') },
  { type: 'audio/mpeg', family: 'voice', sniff: (b) => ascii(b, 0, 'ID3') || (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0) },
  { type: 'audio/ogg', family: 'voice', sniff: (b) => ascii(b, 0, 'OggS') },
  { type: 'audio/wav', family: 'voice', sniff: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE') },
];

const BY_TYPE = new Map(MEDIA_TYPES.map((t) => [t.type, t]));

/** The accepted type a Content-Type header names (parameters and case ignored), or undefined. */
export function mediaType(contentType: string | undefined): MediaType | undefined {
  if (!contentType) return undefined;
  return BY_TYPE.get(contentType.split(';')[0].trim().toLowerCase());
}
