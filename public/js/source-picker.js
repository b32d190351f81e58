// The figure form's source picker: as words are typed, the server's matches
// replace the listed sources (the "Find" button does the same without script).
// The chosen source stays listed and chosen.
(function () {
  'use strict';
  var input = document.getElementById('f-source-q');
  var list = document.getElementById('source-matches');
  if (!input || !list || !window.fetch) return;
  var fetch = window.fetch.bind(window);
  var timer = null;
  var asked = 0;

  function label(s) {
    return s.publisher + ': ' + s.title + (s.published_on ? ' (' + s.published_on + ')' : '');
  }

  function item(s) {
    var li = document.createElement('li');
    var lab = document.createElement('label');
    lab.className = 'choice';
    var radio = document.createElement('input');
    radio.type = 'radio';
    radio.name = 'source_id';
    radio.value = String(s.id);
    lab.appendChild(radio);
    lab.appendChild(document.createTextNode(' ' + label(s)));
    if (s.url) {
      var url = document.createElement('span');
      url.className = 'source-url';
      url.textContent = s.url;
      lab.appendChild(document.createTextNode(' '));
      lab.appendChild(url);
    }
    li.appendChild(lab);
    return li;
  }

  function show(sources) {
    var checked = list.querySelector('input[name="source_id"]:checked');
    var keep = checked ? checked.closest('li') : null;
    while (list.firstChild) list.removeChild(list.firstChild);
    if (keep) list.appendChild(keep);
    sources.forEach(function (s) {
      if (!checked || String(s.id) !== checked.value) list.appendChild(item(s));
    });
    if (!keep && sources.length === 0) {
      var none = document.createElement('li');
      none.className = 'hint';
      none.textContent = 'No source has these words: try fewer, or describe a new source.';
      list.appendChild(none);
    }
  }

  function search() {
    var ticket = ++asked;
    fetch('/admin/figures/source-suggestions?q=' + encodeURIComponent(input.value.trim()), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then(function (res) {
        if (!res.ok) throw new Error('suggestions answered ' + res.status);
        return res.json();
      })
      .then(function (sources) {
        if (ticket === asked) show(sources);
      })
      .catch(function () {
        // The Find button still works: nothing to do here.
      });
  }

  input.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });
  input.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    window.clearTimeout(timer);
    search();
  });
})();
