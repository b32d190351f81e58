/**
 * The seeds' whole story (issue 13): every number the five seed articles state
 * about harm, need, aid, funding, attacks, weapons, damage or disruption is in
 * the demo dataset, each as the words give it. One line per figure: the
 * document, what, where, when, the value with its qualifier, its measure, its
 * verification, and who claims, did and disputes it.
 */
import request from 'supertest';
import { createTestApp } from '../helpers/app';

type Row = [string, string, string, string, string, number, string, string, string, string | null, string | null, string | null];

const SEEDED: Row[] = [
  ['independent-2024-01-10', 'civilian_deaths', 'UKR', '2023-12-29', '2024-01-02', 98, 'exact', 'period_count', 'reported', null, null, null],
  ['independent-2024-01-10', 'civilian_injuries', 'UKR', '2023-12-29', '2024-01-02', 423, 'exact', 'period_count', 'reported', null, null, null],
  ['independent-2024-01-10', 'civilian_deaths', 'UKR', '2023-12-29', '2023-12-29', 58, 'exact', 'period_count', 'reported', null, "Russian Federation", null],
  ['independent-2024-01-10', 'civilian_injuries', 'UKR', '2023-12-29', '2023-12-29', 158, 'exact', 'period_count', 'reported', null, "Russian Federation", null],
  ['independent-2024-01-10', 'civilian_deaths', 'RU-BEL', '2023-12-30', '2023-12-30', 24, 'at_least', 'period_count', 'reported', null, "Ukraine", null],
  ['independent-2024-01-10', 'civilian_injuries', 'RU-BEL', '2023-12-30', '2023-12-30', 100, 'more_than', 'period_count', 'reported', null, "Ukraine", null],
  ['independent-2024-01-10', 'people_in_need', 'UKR', '2024-01-01', '2024-12-31', 14600000, 'more_than', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'funding_required_usd', 'UKR', '2023-01-01', '2023-12-31', 3900000000, 'exact', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'funding_received_usd', 'UKR', '2023-01-01', '2023-12-31', 2500000000, 'more_than', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'people_reached', 'UKR', '2023-01-01', '2023-12-31', 11000000, 'exact', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'funding_required_usd', 'UKR', '2024-01-01', '2024-12-31', 3100000000, 'exact', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'people_targeted', 'UKR', '2024-01-01', '2024-12-31', 8500000, 'exact', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'civilian_casualties', 'UKR', '2023-12-29', '2024-01-02', 519, 'exact', 'period_count', 'reported', null, null, null],
  ['independent-2024-01-10', 'civilian_casualties_frontline_share', 'UKR', '2023-12-11', '2024-01-10', 69, 'exact', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'people_in_need_share', 'UKR', '2024-01-01', '2024-12-31', 40, 'about', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'settlements_without_power_water', 'UKR', '2024-01-08', '2024-01-08', 1000, 'exact', 'level', 'reported', null, null, null],
  ['independent-2024-01-10', 'aid_operations_incidents', 'UKR', '2023-12-01', '2023-12-31', 50, 'more_than', 'period_count', 'reported', null, null, null],
  ['independent-2024-01-10', 'humanitarian_facilities_damaged', 'UA65', '2023-12-01', '2023-12-31', 5, 'exact', 'period_count', 'reported', null, null, null],
  ['unattributed-ua-2024-01', 'dprk_missiles_launched', 'UKR', '2023-12-30', '2023-12-30', 1, 'at_least', 'period_count', 'reported', null, "Russian Federation", "Russian Federation; Democratic People's Republic of Korea"],
  ['upi-2024-02-07', 'civilian_deaths', 'UA44', '2024-01-29', '2024-02-04', 28, 'exact', 'period_count', 'claimed', "Russian Federation", "Ukraine", "Ukraine"],
  ['upi-2024-02-07', 'civilian_deaths', 'UKR', '2022-02-24', '2024-02-07', 10382, 'exact', 'running_total', 'verified', null, null, null],
  ['upi-2024-02-07', 'child_deaths', 'UKR', '2022-02-24', '2024-02-07', 579, 'exact', 'running_total', 'verified', null, null, null],
  ['upi-2024-02-07', 'civilian_injuries', 'UKR', '2022-02-24', '2024-02-07', 19659, 'exact', 'running_total', 'verified', null, null, null],
  ['upi-2024-02-07', 'attacks_dprk_missiles', 'UKR', '2023-12-30', '2024-02-06', 9, 'at_least', 'running_total', 'reported', null, "Russian Federation", "Russian Federation; Democratic People's Republic of Korea"],
  ['upi-2024-02-07', 'people_killed', 'RU-BEL', '2024-01-24', '2024-01-24', 74, 'exact', 'period_count', 'claimed', "Russian Federation", "United States", null],
  ['upi-2024-02-07', 'pow_deaths', 'RU-BEL', '2024-01-24', '2024-01-24', 65, 'exact', 'period_count', 'claimed', "Russian Federation", "United States", null],
  ['nv-2024-04', 'dprk_missiles_launched', 'UA63', '2024-01-02', '2024-01-02', 1, 'exact', 'period_count', 'verified', null, null, null],
  ['nv-2024-04', 'dprk_missiles_launched', 'UKR', '2023-12-30', '2024-02-22', 20, 'more_than', 'running_total', 'claimed', "Ukraine", "Russian Federation", "Russian Federation; Democratic People's Republic of Korea"],
  ['nv-2024-04', 'dprk_missiles_launched', 'UKR', '2023-12-30', '2024-03-14', 50, 'about', 'running_total', 'claimed', "Ukraine", "Russian Federation", "Russian Federation; Democratic People's Republic of Korea"],
  ['nv-2024-04', 'attacks_dprk_missiles', 'UKR', '2023-12-30', '2024-03-20', 10, 'at_least', 'running_total', 'reported', null, "Russian Federation", "Russian Federation; Democratic People's Republic of Korea"],
  ['nv-2024-04', 'dprk_munitions_containers', 'RUS', '2023-01-01', '2024-04-25', 7000, 'about', 'running_total', 'reported', null, "Democratic People's Republic of Korea", "Russian Federation; Democratic People's Republic of Korea"],
  ['unattributed-2024-01-10', 'civilian_deaths', 'UKR', '2022-02-24', '2024-01-10', 10000, 'exact', 'running_total', 'reported', null, null, null],
  ['unattributed-2024-01-10', 'child_deaths', 'UKR', '2022-02-24', '2024-01-10', 560, 'more_than', 'running_total', 'reported', null, null, null],
  ['unattributed-2024-01-10', 'attacks_dprk_missiles', 'UKR', '2023-12-30', '2024-01-06', 3, 'exact', 'period_count', 'reported', null, "Russian Federation", "Russian Federation; Democratic People's Republic of Korea"],
  ['unattributed-2024-01-10', 'dprk_missiles_launched', 'UKR', '2023-12-30', '2023-12-30', 1, 'at_least', 'period_count', 'reported', null, "Russian Federation", "Russian Federation; Democratic People's Republic of Korea"],
];

const DOCUMENT_TITLES: Record<string, string> = {
  "independent-2024-01-10": "US and allies accuse Russia of using North Korean missiles against Ukraine, violating UN sanctions",
  "upi-2024-02-07": "Russia has launched North Korean missiles at least 9 times in Ukraine: U.S. diplomat",
  "unattributed-2024-01-10": "The partnership between Russia and North Korea in the military sector is currently being scrutinized by the United Nations",
  "unattributed-ua-2024-01": "U.S. calls for UN Security Council meeting due to North Korean missiles in Russia",
  "nv-2024-04": "Russia used sanctioned North Korean missiles to attack Kharkiv, UN concludes"
};

interface Seeded {
  title: string;
  indicator: string;
  location: string;
  start: string;
  end: string;
  value: number;
  qualifier: string;
  measure: string;
  verification: string;
  claimed_by: string | null;
  attributed_to: string | null;
  disputed_by: string | null;
  status: string;
}

describe('the seeds in the demo dataset', () => {
  const { db } = createTestApp();
  const all = db
    .prepare<[], Seeded>(`
      SELECT s.title, i.code AS indicator, l.code AS location, f.reference_period_start AS start, f.reference_period_end AS "end",
             f.value, f.qualifier, f.measure, f.verification, f.claimed_by, f.attributed_to, f.disputed_by, f.status
      FROM figures f JOIN indicators i ON i.id = f.indicator_id JOIN locations l ON l.id = f.location_id JOIN sources s ON s.id = f.source_id`)
    .all();

  test(`holds exactly the ${SEEDED.length} figures of the five articles, all published`, () => {
    expect(all).toHaveLength(SEEDED.length);
    expect(all.every((f) => f.status === 'published')).toBe(true);
    expect(new Set(all.map((f) => f.title)).size).toBe(5);
  });

  test.each(SEEDED)('%s: %s at %s, %s to %s, is %d (%s, %s, %s)', (source, indicator, location, start, end, value, qualifier, measure, verification, claimedBy, attributedTo, disputedBy) => {
    const title = DOCUMENT_TITLES[source];
    const matches = all.filter((f) => f.title === title && f.indicator === indicator && f.location === location && f.start === start && f.end === end && f.value === value);
    expect(matches).toHaveLength(1);
    expect(matches[0]).toMatchObject({ qualifier, measure, verification, claimed_by: claimedBy, attributed_to: attributedTo, disputed_by: disputedBy });
  });

  test('a claim by a party names the party; a denial goes in disputed_by', () => {
    for (const f of all) if (f.verification === 'claimed') expect(f.claimed_by).not.toBeNull();
    const missiles = all.filter((f) => f.indicator === 'dprk_missiles_launched' || f.indicator === 'attacks_dprk_missiles');
    expect(missiles.filter((f) => f.disputed_by?.includes('Russian Federation')).length).toBeGreaterThanOrEqual(6);
  });

  test('the 519 casualties whose stated parts add to 521 carry a note on their page', async () => {
    const { app, db: fresh } = createTestApp();
    const id = fresh.prepare<[], { id: number }>("SELECT f.id FROM figures f JOIN indicators i ON i.id = f.indicator_id WHERE i.code = 'civilian_casualties' AND f.value = 519").get()?.id;
    const page = await request(app).get(`/figures/${id}`).expect(200);
    expect(page.text).toContain('The stated parts (98 civilian deaths and 423 civilian injuries) add to 521, not 519.');
  });
});
