// Receives one audio file from a multipart request, streaming it to disk (constant memory
// whatever its size) with a size cap. The client's file name is only ever kept as a label.
import { rm } from 'node:fs/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import type { MediaStore } from '../../../media/store.ts';
import { AppError } from '../../http/errors.ts';

export interface ReceivedFile {
  path: string;
  sha256: string;
  bytes: number;
  fileName: string;
}

const FIELD = 'file';
/** Room for multipart headers and boundaries around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

const malformed = (detail: string) =>
  new AppError(400, 'malformed-upload', `The upload is malformed: ${detail}`);
const tooLarge = (maxBytes: number) =>
  new AppError(413, 'file-too-large', `The file is larger than ${Math.round(maxBytes / 1e6)} MB`, {
    maxBytes,
  });

export function checkFileName(name: string): string {
  const clean = name.normalize('NFC').trim();
  const parts = clean.split(/[/\\]/);
  if (!clean || parts.length > 1 || clean.includes('\0') || clean === '.' || clean === '..') {
    throw new AppError(
      400,
      'bad-file-name',
      `The file name "${name}" is not allowed: give a plain name, no folders`,
    );
  }
  return clean.slice(0, 200);
}

export function receiveAudioFile(req: Request, store: MediaStore, maxBytes: number): Promise<ReceivedFile> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD)
    return Promise.reject(tooLarge(maxBytes));
  let parser: busboy.Busboy;
  try {
    // preservePath: see the name as sent, so a name with folders is refused rather than trimmed.
    parser = busboy({
      headers: req.headers,
      preservePath: true,
      // Browsers send file names as UTF-8 ("bản tin tiếng Việt.mp3"); busboy assumes latin1.
      defParamCharset: 'utf8',
      limits: { files: 1, fileSize: maxBytes, fields: 10, parts: 12 },
    });
  } catch {
    return Promise.reject(
      new AppError(415, 'not-multipart', 'Send the audio as multipart/form-data, field "file"'),
    );
  }

  return new Promise<ReceivedFile>((resolve, reject) => {
    let file: Promise<ReceivedFile> | undefined;
    let problem: AppError | undefined;
    let finished = false;

    const finish = async () => {
      if (finished) return;
      finished = true;
      const received = await file?.catch((err: Error) => {
        problem ??= malformed(err.message);
        return undefined;
      });
      if (problem || !received) {
        if (received) await rm(received.path, { force: true });
        req.unpipe(parser);
        req.resume();
        return reject(problem ?? new AppError(400, 'no-file', 'No audio file in the request (field "file")'));
      }
      resolve(received);
    };

    parser.on('file', (field, stream, info) => {
      if (field !== FIELD || file || problem) return void stream.resume();
      let fileName: string;
      try {
        fileName = checkFileName(info.filename ?? '');
      } catch (err) {
        problem = err as AppError;
        return void stream.resume();
      }
      stream.on('limit', () => {
        problem ??= tooLarge(maxBytes);
      });
      file = store.receive(stream, 'upload').then((r) => ({ ...r, fileName }));
      file.catch(() => {}); // judged in finish()
    });
    parser.on('error', (err: Error) => {
      problem ??= malformed(err.message);
      void finish();
    });
    parser.on('close', () => void finish());
    req.on('close', () => {
      if (req.complete) return;
      problem ??= malformed('the connection closed before the end of the file');
      parser.destroy(new Error('interrupted'));
      void finish();
    });
    req.pipe(parser);
  });
}
