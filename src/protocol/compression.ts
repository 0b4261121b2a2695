/**
 * Body compression as kombu does it: the body bytes are compressed and the message header
 * `compression` names the method by a MIME-like type (wire README §1.4).
 *
 * - `application/x-gzip`: despite the name, kombu uses `zlib.compress` (RFC 1950 zlib stream), which
 *   is what we write. On reading we also accept a real gzip stream.
 * - `application/x-brotli`: a raw brotli stream (Python's `brotli` package must be installed on
 *   Python peers).
 *
 * bz2, lzma and zstd are not supported (they throw `unsupported-compression`).
 * @module
 */
import { brotliCompressSync, brotliDecompressSync, deflateSync, unzipSync } from 'node:zlib';
import { MessageDecodeError } from '../errors.js';

/** A compression method celeriac can write. */
export type CompressionName = 'gzip' | 'brotli';

/** The `compression` header value kombu uses for each method. */
export const COMPRESSION_CONTENT_TYPES: Readonly<Record<CompressionName, string>> = {
  gzip: 'application/x-gzip',
  brotli: 'application/x-brotli',
};

/** Header values we read, mapped to a method. kombu's aliases (`zlib`, `gzip`, `brotli`) are accepted too. */
const METHOD_BY_HEADER = new Map<string, CompressionName>([
  ['application/x-gzip', 'gzip'],
  ['gzip', 'gzip'],
  ['zlib', 'gzip'],
  ['application/x-brotli', 'brotli'],
  ['brotli', 'brotli'],
]);

/** Compress `body` with `method`; returns the new bytes and the `compression` header value to send. */
export function compressBody(body: Uint8Array, method: CompressionName): { body: Uint8Array; header: string } {
  const compressed = method === 'gzip' ? deflateSync(body) : brotliCompressSync(body);
  return { body: new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength), header: COMPRESSION_CONTENT_TYPES[method] };
}

/**
 * Decompress `body` according to the `compression` header value `header`.
 * @param maxOutputBytes - refuse to inflate past this many bytes (guards against compression bombs).
 * @throws MessageDecodeError `unsupported-compression` (unknown method), `body-too-large` (inflated
 *   size above `maxOutputBytes`) or `bad-compression` (corrupt compressed data).
 */
export function decompressBody(body: Uint8Array, header: string, maxOutputBytes: number): Uint8Array {
  const method = METHOD_BY_HEADER.get(header.trim().toLowerCase());
  if (!method) throw new MessageDecodeError('unsupported-compression', `Unsupported compression: ${header}`);
  const options = Number.isFinite(maxOutputBytes) ? { maxOutputLength: Math.max(1, Math.floor(maxOutputBytes)) } : {};
  try {
    const output = method === 'gzip' ? unzipSync(body, options) : brotliDecompressSync(body, options);
    return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MessageDecodeError('body-too-large', `Decompressed body exceeds ${maxOutputBytes} bytes`);
    }
    throw new MessageDecodeError('bad-compression', `Body does not decompress as ${header}: ${(error as Error).message}`);
  }
}
