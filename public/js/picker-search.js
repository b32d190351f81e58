// A search box above each long picker (select.searchable): typing hides the
// options that do not match; chosen ones always stay. Without JavaScript the
// grouped list works as it is.
(function () {
  'use strict';

  function fold(text) {
    return text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }

  function enhance(select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    var input = document.createElement('input');
    input.type = 'search';
    input.className = 'picker-search';
    input.id = select.id + '-search';
    // A page in another language gives its words in data-search and data-search-label.
    input.setAttribute('aria-label', select.dataset.searchLabel || 'Search ' + (label ? label.textContent.trim().toLowerCase() : 'the list'));
    input.setAttribute('aria-controls', select.id);
    input.placeholder = select.dataset.search || 'Search…';
    select.parentNode.insertBefore(input, select);
    input.addEventListener('input', function () {
      var wanted = fold(input.value.trim());
      select.querySelectorAll('optgroup').forEach(function (group) {
        var shown = 0;
        group.querySelectorAll('option').forEach(function (option) {
          var match = !wanted || option.selected || fold(option.textContent).indexOf(wanted) >= 0 || fold(option.value).indexOf(wanted) >= 0;
          option.hidden = !match;
          if (match) shown++;
        });
        group.hidden = shown === 0;
      });
    });
  }

  function start() {
    document.querySelectorAll('select.searchable').forEach(enhance);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
