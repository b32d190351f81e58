import i18next from 'i18next';
import { i18nextOptions, LANGUAGES, translator } from '../../server/i18n';

/**
 * server/i18n.ts answers most messages itself (one lookup per key, one replace for
 * {{name}} values) and hands the rest to i18next: every message must come out as
 * i18next makes it, with and without its values, with tricky values, and with one missing.
 */
const options = i18nextOptions();
const resources = Object.fromEntries(LANGUAGES.map((lng) => [lng, (options.resources?.[lng] as { translation: Record<string, unknown> }).translation]));
const reference = i18next.createInstance();
void reference.init(options);

function flatten(tree: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : flatten(v as Record<string, unknown>, `${prefix}${k}.`)));
}

const messages = new Map<string, string>();
for (const lng of LANGUAGES) for (const [key, text] of flatten(resources[lng] as Record<string, unknown>)) messages.set(key.replace(/_(zero|one|two|few|many|other)$/, ''), text);
const allTexts = LANGUAGES.flatMap((lng) => flatten(resources[lng] as Record<string, unknown>));
function variables(key: string): string[] {
  const texts = allTexts.filter(([k]) => k === key || k.startsWith(`${key}_`)).map(([, v]) => v);
  const names = texts.flatMap((text) => Array.from(text.matchAll(/\{\{(\w+)\}\}/g), (m) => m[1] as string));
  return Array.from(new Set(names));
}

describe('the quick translator', () => {
  test.each(LANGUAGES)('%s: every message, as i18next makes it', (lng) => {
    const quick = translator(lng) as unknown as (key: string, options?: Record<string, unknown>) => string;
    const made = reference.getFixedT(lng) as unknown as (key: string, options?: Record<string, unknown>) => string;
    expect(messages.size).toBeGreaterThan(100);
    for (const key of messages.keys()) {
      const names = variables(key);
      const full = Object.fromEntries(names.map((n, i) => [n, i % 3 === 0 ? 1234.5 : i % 3 === 1 ? '$& <b>"x"</b> {{y}}' : `value ${n}`]));
      const cases: (Record<string, unknown> | undefined)[] = [undefined, full, { ...full, count: 1 }, { ...full, count: 3 }];
      if (names.length > 1) cases.push(Object.fromEntries(names.slice(1).map((n) => [n, 'only some'])));
      for (const options of cases) expect([key, options, quick(key, options)]).toEqual([key, options, made(key, options)]);
    }
    // A key nobody wrote, and one built from data.
    expect(quick('no.such.key')).toBe(made('no.such.key'));
    expect(quick('verification.nonsense', { x: 1 })).toBe(made('verification.nonsense', { x: 1 }));
  });
});
