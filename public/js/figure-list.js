// Staff figure list: a box that ticks every figure on the page. The list works without it.
(function () {
  'use strict';
  var all = document.querySelector('input.select-all');
  if (!all) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="ids"]'));
  all.hidden = false;
  function sync() {
    var ticked = boxes.filter(function (b) { return b.checked; }).length;
    all.checked = ticked === boxes.length && ticked > 0;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  all.addEventListener('change', function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
  });
  boxes.forEach(function (b) { b.addEventListener('change', sync); });
  sync();
})();
