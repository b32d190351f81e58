import { numbersInQuote, qualifierInWords, quoteChecks, relationChecks, type CheckedFigure, type Relation } from '../../server/domain/checks';

let nextId = 1;
function fig(overrides: Partial<CheckedFigure>): CheckedFigure {
  return {
    id: nextId++, indicator: 'civilian_deaths', location: 'UKR', start: '2023-12-29', end: '2024-01-02', measure: 'period_count',
    value: 98, value_low: null, value_high: null, qualifier: 'exact', reported_by: 'UN OCHA', source_quote: 'quote', ...overrides,
  };
}

describe('numbers in a quote', () => {
  test('reads digits, thousands separators, scales, currency and number words; skips years, days of dates and model numbers', () => {
    const quote = 'On January 2, 2024 a Hwasong-11 missile hit; 10,382 killed, $3.9 billion asked, 14.6 million in need, at least nine occasions, 69% of casualties';
    expect(numbersInQuote(quote).map((n) => n.value)).toEqual([10382, 3_900_000_000, 14_600_000, 9, 69]);
  });

  test('the words before a number give its qualifier', () => {
    expect(qualifierInWords('killed at least ')).toBe('at_least');
    expect(qualifierInWords('injured more than ')).toBe('more_than');
    expect(qualifierInWords('launched approximately ')).toBe('about');
    expect(qualifierInWords('up to ')).toBe('up_to');
    expect(qualifierInWords('recorded ')).toBeNull();
  });
});

describe('quote checks', () => {
  test('the number in the quote is the value', () => {
    expect(quoteChecks(fig({ value: 98, source_quote: '98 people killed' }))).toEqual([]);
    expect(quoteChecks(fig({ value: 89, source_quote: '98 people killed' }))[0]?.message).toBe('The quote states 98, not 89.');
    expect(quoteChecks(fig({ value: 1, source_quote: 'a missile that landed in Kharkiv on January 2, 2024' }))).toEqual([]);
  });

  test('"at least", "more than", "about", "up to" in the quote match the qualifier', () => {
    expect(quoteChecks(fig({ value: 24, qualifier: 'at_least', source_quote: 'at least 24 civilians were killed' }))).toEqual([]);
    expect(quoteChecks(fig({ value: 24, qualifier: 'exact', source_quote: 'at least 24 civilians were killed' }))[0]?.message).toBe(
      'The quote says "at least" before 24, but the figure is recorded as no qualifier.',
    );
    expect(quoteChecks(fig({ value: 50, qualifier: 'about', source_quote: 'launched 50 missiles' }))[0]?.kind).toBe('quote_qualifier');
  });
});

describe('relation checks', () => {
  const relations: Relation[] = [
    { indicator: 'civilian_casualties', kind: 'sum', others: ['civilian_deaths', 'civilian_injuries'] },
    { indicator: 'child_deaths', kind: 'at_most', others: ['civilian_deaths'] },
    { indicator: 'civilian_deaths', kind: 'non_decreasing', others: [] },
  ];

  test('casualties = deaths + injuries for the same place, period and originator: "the stated parts add to 521"', () => {
    const total = fig({ indicator: 'civilian_casualties', value: 519 });
    const deaths = fig({ value: 98 });
    const injuries = fig({ indicator: 'civilian_injuries', value: 423 });
    const [finding] = relationChecks(total, relations, [deaths, injuries]);
    expect(finding).toEqual({ kind: 'sum', message: 'The stated parts (98 civilian deaths and 423 civilian injuries) add to 521, not 519.', related: [deaths.id, injuries.id] });
    expect(relationChecks(fig({ indicator: 'civilian_casualties', value: 521 }), relations, [deaths, injuries])).toEqual([]);
    // Another originator's parts are not this total's parts.
    expect(relationChecks(total, relations, [deaths, { ...injuries, reported_by: 'OHCHR' }])).toEqual([]);
  });

  test('child deaths are at most civilian deaths; a running total never falls for one originator', () => {
    expect(relationChecks(fig({ indicator: 'child_deaths', value: 120 }), relations, [fig({ value: 98 })])[0]?.kind).toBe('at_most');
    const earlier = fig({ measure: 'running_total', start: '2022-02-24', end: '2024-01-10', value: 10_500 });
    const later = fig({ measure: 'running_total', start: '2022-02-24', end: '2024-02-07', value: 10_382 });
    expect(relationChecks(later, relations, [earlier])[0]?.message).toBe('This running total (10,382 as of 2024-02-07) is lower than the 10,500 the same originator gave as of 2024-01-10.');
    expect(relationChecks(earlier, relations, [later])).toEqual([]);
  });
});
