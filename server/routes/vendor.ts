import fs from 'node:fs';
import path from 'node:path';
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

/** The vendor scripts by address (/vendor/NAME), for server/middleware/static-files.ts; throws when one is missing. */
export function vendorFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, file] of FILES) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm ci`);
    out.set(`/vendor/${name}`, file);
  }
  return out;
}
