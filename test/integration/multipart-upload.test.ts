// The multipart uploader against real moto: exact bytes over several parts, If-None-Match at
// CompleteMultipartUpload, and the body's own error winning with nothing left at the key.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultipartUploadError, uploadStream } from '../../src/destinations/multipart-upload.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { ifStarted } from './support/if-started.js';

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await ifStarted(moto)?.stop();
});

const MiB = 1024 * 1024;
/** Yields `data` in uneven chunks, so parts straddle chunk boundaries. */
function chunked(data: Buffer, failAfter?: number): Readable {
  return Readable.from(
    (function* () {
      let offset = 0;
      while (offset < data.length) {
        if (failAfter !== undefined && offset >= failAfter) throw new Error('disk read error at 7 MiB');
        const size = 65_536 + (offset % 7919);
        yield data.subarray(offset, offset + size);
        offset += size;
      }
    })(),
  );
}

describe('uploadStream', () => {
  it('stores exactly the body over several parts, and a second write to the key fails at Complete with 412', async () => {
    const data = randomBytes(12 * MiB + 12_345);
    const key = `${moto.prefix}mp/object.bin`;
    const client = moto.clientFor(moto.putOnly);
    await uploadStream(client, { Bucket: moto.bucket, Key: key, IfNoneMatch: '*' }, chunked(data), {
      partSize: 5 * MiB,
      queueSize: 2,
    });
    expect((await moto.getObject(key)).equals(data)).toBe(true);
    expect(moto.log()).toMatch(/partNumber=3&/);

    const error = await uploadStream(
      client,
      { Bucket: moto.bucket, Key: key, IfNoneMatch: '*' },
      chunked(randomBytes(11 * MiB)),
      { partSize: 5 * MiB, queueSize: 2 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipartUploadError);
    expect(
      ((error as MultipartUploadError).cause as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode,
    ).toBe(412);
    expect((await moto.getObject(key)).equals(data)).toBe(true);
  });

  it('uses one PutObject for a body smaller than a part, including an empty one', async () => {
    for (const size of [0, 1000]) {
      const key = `${moto.prefix}mp/small-${size}`;
      await uploadStream(moto.clientFor(moto.putOnly), { Bucket: moto.bucket, Key: key }, chunked(randomBytes(size)), {
        partSize: 5 * MiB,
        queueSize: 2,
      });
      expect((await moto.getObject(key)).length).toBe(size);
    }
    expect(moto.log()).not.toMatch(/mp\/small-\d+\?uploads/);
  });

  it("rejects with the body's error after parts were sent, names the upload, and leaves no object", async () => {
    const key = `${moto.prefix}mp/broken.bin`;
    const error = await uploadStream(
      moto.clientFor(moto.putOnly),
      { Bucket: moto.bucket, Key: key },
      chunked(randomBytes(12 * MiB), 7 * MiB),
      { partSize: 5 * MiB, queueSize: 2 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipartUploadError);
    expect(((error as MultipartUploadError).cause as Error).message).toBe('disk read error at 7 MiB');
    expect((error as MultipartUploadError).uploadId).toBeTruthy();
    expect(await moto.listKeys(key)).toEqual([]);
  });
});
