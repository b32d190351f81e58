import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { projectRoot } from '../paths';

const modules = path.join(projectRoot, 'node_modules');

/**
 * Chart.js and its date adapter (with date-fns bundled in), served from
 * node_modules under fixed names: no CDN, and nothing else there is reachable.
 * Their package exports hide dist/, so the paths are spelled out. A Map, not
 * an object literal: a name from the URL such as `constructor` or `__proto__`
 * must find nothing rather than something inherited.
 */
const FILES = new Map<string, string>([
  ['chart.umd.min.js', path.join(modules, 'chart.js', 'dist', 'chart.umd.min.js')],
  ['chartjs-adapter-date-fns.bundle.min.js', path.join(modules, 'chartjs-adapter-date-fns', 'dist', 'chartjs-adapter-date-fns.bundle.min.js')],
]);

export function vendorRoutes(cacheSeconds: number): Router {
  for (const file of FILES.values()) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm ci`);
  }
  const router = Router();
  router.get('/vendor/:file', (req, res, next) => {
    const file = FILES.get(req.params.file);
    if (!file) {
      next();
      return;
    }
    res.type('text/javascript').sendFile(file, { maxAge: cacheSeconds * 1000 });
  });
  return router;
}
