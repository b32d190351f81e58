// Figure form helpers. The form works without them: they only hide what does not apply.
(function () {
  'use strict';
  var form = document.querySelector('form.figure-form');
  if (!form) return;

  var endField = form.querySelector('.period-end');
  var startLabel = form.querySelector('label[for="f-reference-period-start"]');
  var endLabel = form.querySelector('label[for="f-reference-period-end"]');
  var startTexts = { day: 'Day', range: 'First day', since: 'Counted since' };
  var endTexts = { range: 'Last day', since: 'As of' };

  function periodKind() {
    var checked = form.querySelector('input[name="period_kind"]:checked');
    return checked ? checked.value : 'day';
  }
  function updatePeriod() {
    var kind = periodKind();
    if (endField) endField.hidden = kind === 'day';
    if (startLabel) startLabel.textContent = startTexts[kind] || 'Start date';
    if (endLabel && endTexts[kind]) endLabel.textContent = endTexts[kind];
  }
  form.querySelectorAll('input[name="period_kind"]').forEach(function (el) {
    el.addEventListener('change', updatePeriod);
  });
  updatePeriod();

  var sourcePicker = form.querySelector('#f-source-id');
  var newSource = form.querySelector('#new-source');
  function updateSource() {
    var checked = form.querySelector('input[name="source_id"]:checked');
    if (newSource) newSource.hidden = !checked || checked.value !== 'new';
  }
  if (sourcePicker) sourcePicker.addEventListener('change', updateSource);
  updateSource();

  // A duplicate warning or an edit conflict shown on saving takes focus, as an error summary does.
  var duplicates = document.getElementById('duplicates') || document.getElementById('conflict');
  if (duplicates && !document.querySelector('.error-summary')) duplicates.focus();

  // "14.6 million" is kept as typed; the number it stands for is shown beside it.
  var numbers = window.TallyNumbers;
  var grouping = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  form.querySelectorAll('input[data-echo]').forEach(function (input) {
    var echo = document.getElementById(input.id + '-echo');
    if (!echo || !numbers) return;
    function update() {
      var raw = input.value.trim();
      var n = raw === '' ? null : numbers.parseWholeNumber(raw);
      echo.textContent = n === null ? (raw === '' ? '' : 'Not a whole number yet') : '= ' + grouping.format(n);
    }
    input.addEventListener('input', update);
    update();
  });
})();
