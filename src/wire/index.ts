// RESP codec, sans-I/O: no sockets, no timers. See each module for the Redis behaviour it reproduces.
export { ProtocolError, protocolError } from './errors';
export type { WireErrorCode } from './errors';
export { RequestDecoder, DEFAULT_REQUEST_LIMITS } from './request-decoder';
export type { RequestLimits } from './request-decoder';
export { ReplyError, SimpleString, Push, RespMap } from './reply';
export type { Reply } from './reply';
export { encodeCommand, encodeReply, writeReply, writeBulkBytes, ChunkWriter } from './encoder';
export { ReplyDecoder, NEED_MORE } from './reply-decoder';
