// Where uploaded media lives: content addressed (the id is the SHA-256 of the bytes, so nobody picks a
// path, the same clip uploaded twice is stored once, and a client can check what it downloaded), in
// memory up to a total size. Media bytes never travel on the long connection, only their reference.
import { createHash } from 'node:crypto';

export interface StoredMedia {
  id: string;
  type: string;
  bytes: Buffer;
}

export const MEDIA_ID = /^[0-9a-f]{64}$/;

export function mediaId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class MediaFullError extends Error {
  readonly code = 'MEDIA_FULL';
}

export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();
  private used = 0;

  /** `capacityBytes`: the most media held in all (default 256 MiB). */
  constructor(readonly capacityBytes = 256 * 1024 * 1024) {}

  /** Stores the bytes under their hash; `created` is false when they were there already. */
  put(bytes: Buffer, type: string): { media: StoredMedia; created: boolean } {
    const id = mediaId(bytes);
    const have = this.items.get(id);
    if (have) return { media: have, created: false };
    if (this.used + bytes.length > this.capacityBytes) {
      throw new MediaFullError(`media storage is full (${this.used} of ${this.capacityBytes} bytes used)`);
    }
    const media = { id, type, bytes };
    this.items.set(id, media);
    this.used += bytes.length;
    return { media, created: true };
  }

  get(id: string): StoredMedia | undefined {
    return this.items.get(id);
  }

  get count(): number {
    return this.items.size;
  }

  get usedBytes(): number {
    return this.used;
  }
}
