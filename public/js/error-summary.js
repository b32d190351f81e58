// A form sent back with errors: the summary takes focus, so keyboard and
// screen-reader users start at the list of what to correct; each link in it
// moves focus to its field (a plain link would only scroll).
(function () {
  'use strict';
  var summary = document.querySelector('.error-summary');
  if (!summary) return;
  summary.focus();
  summary.addEventListener('click', function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    var field = target.matches('input, select, textarea') ? target : target.querySelector('input:not([type="hidden"]), select, textarea');
    if (!field) return;
    event.preventDefault();
    var label = field.id ? document.querySelector('label[for="' + field.id + '"]') : null;
    (label || target).scrollIntoView({ block: 'start' });
    field.focus({ preventScroll: true });
  });
})();
