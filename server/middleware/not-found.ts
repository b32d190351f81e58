import type { RequestHandler } from 'express';
import { HttpError } from '../errors';

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `There is nothing at ${req.path}.`));
};
