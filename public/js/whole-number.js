// The whole-number rule of server/domain/figure.ts (parseWholeNumber), for the
// figure form's echo ("= 14,600,000") before saving. The server parses again
// on save; test/server/whole-number.test.ts runs both on the same inputs.
(function () {
  'use strict';
  var SCALE_WORDS = { thousand: 3, k: 3, million: 6, mn: 6, mln: 6, m: 6, billion: 9, bn: 9, b: 9, trillion: 12, tn: 12 };

  function parseWholeNumber(text) {
    var s = String(text).trim().replace(/^(?:US\s?\$|USD|\$|€|£)\s*/i, '');
    var exponent = 0;
    var scaled = /^(.*?\d)\s*([a-z]+)\.?$/i.exec(s);
    if (scaled) {
      var word = scaled[2].toLowerCase();
      if (!Object.prototype.hasOwnProperty.call(SCALE_WORDS, word)) return null;
      s = scaled[1];
      exponent = SCALE_WORDS[word];
    }
    s = s.replace(/(?<=\d)[,\u00a0\u202f ](?=\d{3}(\D|$))/g, '');
    var parts = /^(\d{1,16})(?:\.(\d{1,16}))?$/.exec(s);
    if (!parts) return null;
    var fraction = (parts[2] || '').replace(/0+$/, '');
    if (fraction.length > exponent) return null;
    var digits = (parts[1] + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
    if (digits.length > 16) return null;
    var n = Number(digits);
    return Number.isSafeInteger(n) ? n : null;
  }

  window.TallyNumbers = { parseWholeNumber: parseWholeNumber };
})();
