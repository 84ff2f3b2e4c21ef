import { open } from 'node:fs/promises';

/**
 * Up to `bytes` bytes of a file from `position` (negative: counted from the end), without reading the rest:
 * how uploads are judged by their first (or last) bytes.
 */
export async function readRange(filePath: string, bytes: number, position = 0): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const start = position >= 0 ? position : Math.max(0, (await handle.stat()).size + position);
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
