import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { parseWholeNumber } from '../../server/domain/figure';
import { projectRoot } from '../../server/paths';

/** The browser's copy of the rule (public/js/whole-number.js), run as the page runs it. */
function browserParser(): (text: string) => number | null {
  const window: { TallyNumbers?: { parseWholeNumber: (text: string) => number | null } } = {};
  vm.runInNewContext(fs.readFileSync(path.join(projectRoot, 'public', 'js', 'whole-number.js'), 'utf8'), { window });
  if (!window.TallyNumbers) throw new Error('whole-number.js did not define TallyNumbers');
  return window.TallyNumbers.parseWholeNumber;
}

const ACCEPTED: [string, number][] = [
  ['10382', 10382], ['10,382', 10382], ['10 382', 10382], ['10\u00a0382', 10382], ['12.0', 12], [' 42 ', 42], ['0', 0],
  ['14.6 million', 14_600_000], ['$3.9 billion', 3_900_000_000], ['US$ 3.9 billion', 3_900_000_000], ['2.5bn', 2_500_000_000],
  ['40k', 40_000], ['1.5 thousand', 1500], ['3 Million', 3_000_000], ['1,234.5 million', 1_234_500_000], ['0.5 mln', 500_000],
  ['€12 mn', 12_000_000], ['7.25 trillion', 7_250_000_000_000],
];
const REFUSED = ['1.5', '12.5', '1.2345 thousand', '-5', '+5', '1e6', '', 'ten', 'million', '14.6 millions', '10,38', '3.9 billion people', '9007199254740993', '0x10', '1.5.0'];

describe('whole numbers as sources write them', () => {
  test.each(ACCEPTED)('"%s" is %d', (text, expected) => {
    expect(parseWholeNumber(text)).toBe(expected);
  });

  test.each(REFUSED)('"%s" is refused (a fraction of a unit, a sign or other words)', (text) => {
    expect(parseWholeNumber(text)).toBeNull();
  });

  test('the form\'s echo in the browser reads every number the same way as the server', () => {
    const browser = browserParser();
    for (const text of [...ACCEPTED.map(([t]) => t), ...REFUSED]) expect([text, browser(text)]).toEqual([text, parseWholeNumber(text)]);
  });
});
