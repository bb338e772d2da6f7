// Reply values, in both directions (server encoding, client decoding). Plain JS values where RESP has an obvious
// one; small classes where the type must survive (an error is not a string, a status is not a bulk).

/** "-ERR foo" on the wire <-> message "ERR foo" (the first word is the error code). */
export class ReplyError {
  constructor(readonly message: string) {}
}

/** A "+status" reply. Only used when encoding: the decoder returns plain strings for both '+' and '$'. */
export class SimpleString {
  constructor(readonly value: string) {}
}

/** RESP3 out-of-band push ('>'); encoded as a plain array in RESP2. */
export class Push {
  constructor(readonly items: Reply[]) {}
}

/** RESP3 map ('%'); encoded as a flat array k1 v1 k2 v2 ... in RESP2. */
export class RespMap {
  constructor(readonly entries: Array<[Reply, Reply]>) {}
}

export type Reply = string | number | null | boolean | ReplyError | SimpleString | Push | RespMap | Reply[];
