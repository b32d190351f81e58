import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { HttpError } from '../errors';

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 },
}).single('file');

/**
 * Parses one uploaded CSV (at most 50 MB) into req.file. Mounted after the
 * admin check, so nobody else can make the server read a large body, and
 * before the CSRF check, which needs the form's token from the parsed body.
 * Whatever goes wrong reading the body is the client's: a malformed or cut
 * multipart body (busboy's plain errors) is a 400 as much as multer's limits.
 */
export const importUpload: RequestHandler = (req, res, next) => {
  upload(req, res, (err: unknown) => {
    if (!err) {
      next();
      return;
    }
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') next(new HttpError(413, 'The file is larger than 50 MB: split it into smaller files and import each.'));
      else next(new HttpError(400, `The upload could not be read: ${err.message}.`));
      return;
    }
    next(new HttpError(400, 'The upload could not be read: the form data is malformed or incomplete. Choose the file and send the form again.'));
  });
};

/** Turns a too-large urlencoded form into a 413 page saying so. */
export const formTooLarge: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
  const e = err as { type?: string };
  if (e.type === 'entity.too.large') next(new HttpError(413, 'The form is larger than 1 MB: shorten the text and send it again.'));
  else next(err);
};
