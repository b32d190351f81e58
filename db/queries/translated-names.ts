import type { Db } from '../connection';

export type NamedEntity = 'indicator' | 'location';

/** Names of indicators and places in a language other than English, keyed "entity|code". */
export function translatedNameQueries(db: Db) {
  const all = db.prepare<[string], { entity: NamedEntity; code: string; name: string }>('SELECT entity, code, name FROM translated_names WHERE lang = ?');
  return {
    forLanguage: (lang: string): Map<string, string> => new Map(all.all(lang).map((r) => [`${r.entity}|${r.code}`, r.name])),
  };
}
