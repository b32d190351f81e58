/* global Chart, URL */
// Draws the charts whose data the server put in data-chart attributes. All
// decisions about what to plot are made on the server; this only draws, and
// enhances the chart cards (tabs without jumps, legend toggles, tooltips, PNG).
(function () {
  'use strict';

  // The same ten colours as the .c0 … .c9 classes of tally.css: a series' slot comes from the server.
  var PALETTE = ['#0b5cad', '#b45309', '#1a7f37', '#6e40c9', '#be185d', '#0e7490', '#4d7c0f', '#9a3412', '#475569', '#a16207'];
  var INK = '#1b1f24';
  var MUTED = '#57606a';
  var LABEL_LIMIT = 40;
  var DAY = 86400000;
  // The page's words for what the script writes (the server's data-strings on each chart, in the page's language).
  var STRINGS = (function () {
    var fallback = {
      locale: 'en-GB',
      originator: 'Originator: ',
      document: 'Document: ',
      open: 'Open the figure →',
      made: 'made {{date}}',
      markers: 'Markers:',
      usd: 'US dollars',
      people: 'people',
      percent: 'percent',
      billion: '{{n}} bn',
      million: '{{n}} M',
    };
    var el = document.querySelector('[data-strings]');
    if (!el) return fallback;
    try {
      return Object.assign(fallback, JSON.parse(el.dataset.strings));
    } catch {
      return fallback;
    }
  })();
  var LOCALE = STRINGS.locale;
  var DECIMAL = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
  // A second identity on a colour already used in the panel: dash-dot, markers outlined in ink.
  var VARIANT_DASH = [8, 3, 2, 3];
  // Markers tell verification apart in the chart itself; the card's key explains them.
  var MARKERS = { verified: 'circle', reported: 'triangle', claimed: 'rectRot', disputed: 'crossRot' };

  function colour(i) {
    return PALETTE[i % PALETTE.length];
  }

  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  function compact(n, unit) {
    var prefix = unit === 'usd' ? 'US$ ' : '';
    var suffix = unit === 'percent' ? '%' : '';
    if (n >= 1e9) return prefix + STRINGS.billion.replace('{{n}}', DECIMAL.format(n / 1e9));
    if (n >= 1e6) return prefix + STRINGS.million.replace('{{n}}', DECIMAL.format(n / 1e6));
    return prefix + new Intl.NumberFormat(LOCALE).format(n) + suffix;
  }

  function isMarker(raw) {
    return raw && raw.m !== 0;
  }

  // A white background, so a downloaded PNG is not transparent.
  var background = {
    id: 'tallyBackground',
    beforeDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.globalCompositeOperation = 'destination-over';
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };

  // Each marker point: its range as an error bar, and its value as the source bounded it ("≥ 24").
  var annotations = {
    id: 'tallyAnnotations',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var y = chart.scales.y;
      var markers = 0;
      chart.data.datasets.forEach(function (ds, i) {
        if (chart.isDatasetVisible(i)) markers += ds.data.filter(isMarker).length;
      });
      ctx.save();
      var labels = [];
      chart.data.datasets.forEach(function (ds, i) {
        if (!chart.isDatasetVisible(i)) return;
        var meta = chart.getDatasetMeta(i);
        ds.data.forEach(function (raw, j) {
          var el = meta.data[j];
          if (!el || !isMarker(raw)) return;
          var top = el.y;
          if (raw.lo !== undefined || raw.hi !== undefined) {
            var lo = y.getPixelForValue(raw.lo !== undefined ? raw.lo : raw.y);
            var hi = y.getPixelForValue(raw.hi !== undefined ? raw.hi : raw.y);
            ctx.strokeStyle = INK;
            ctx.lineWidth = 1.5;
            ctx.setLineDash([]);
            ctx.beginPath();
            ctx.moveTo(el.x, lo);
            ctx.lineTo(el.x, hi);
            ctx.moveTo(el.x - 5, lo);
            ctx.lineTo(el.x + 5, lo);
            ctx.moveTo(el.x - 5, hi);
            ctx.lineTo(el.x + 5, hi);
            ctx.stroke();
            top = Math.min(top, hi);
          }
          // Qualified values ("≥ 24") are labelled first, so a crowded chart keeps them.
          labels.push({ text: raw.t, x: el.x, y: top - 8, rank: /^[~≥>≤]/.test(raw.t) ? 0 : 1 });
        });
      });
      if (markers <= LABEL_LIMIT) {
        ctx.font = '600 12px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'bottom';
        var placed = [];
        var area = chart.chartArea;
        labels.sort(function (a, b) {
          return a.rank - b.rank;
        });
        labels.forEach(function (l) {
          var w = ctx.measureText(l.text).width + 6;
          var clashes = function (b) {
            return (
              b.x1 < area.left - 20 ||
              b.x2 > area.right + 20 ||
              placed.some(function (p) {
                return b.x1 < p.x2 && p.x1 < b.x2 && b.y1 < p.y2 && p.y1 < b.y2;
              })
            );
          };
          // Above the point, then to its right, then to its left; a label that fits nowhere is left to the tooltip.
          var tries = [
            { dx: 0, dy: 0 },
            { dx: w / 2 + 8, dy: 14 },
            { dx: -(w / 2 + 8), dy: 14 },
            { dx: 0, dy: -16 },
          ];
          for (var k = 0; k < tries.length; k++) {
            var x = l.x + tries[k].dx;
            var yy = l.y + tries[k].dy;
            var box = { x1: x - w / 2, x2: x + w / 2, y1: yy - 14, y2: yy };
            if (clashes(box)) continue;
            placed.push(box);
            // A white halo keeps the label readable over bars and lines.
            ctx.lineWidth = 3;
            ctx.strokeStyle = '#ffffff';
            ctx.strokeText(l.text, x, yy);
            ctx.fillStyle = INK;
            ctx.fillText(l.text, x, yy);
            return;
          }
        });
      }
      ctx.restore();
    },
  };

  // The server sends each document name once; every tooltip names its originator and document.
  function expand(panel) {
    panel.series.forEach(function (s) {
      s.points.forEach(function (p) {
        p.tip = [p.tip[0], p.tip[1], STRINGS.originator + s.o].concat(p.tip.slice(2)).concat([STRINGS.document + panel.docs[p.d]]);
      });
    });
    return panel;
  }

  /**
   * The time axis: bounds around the points, long empty stretches between
   * clusters of points shortened to a marked break (so a lone later figure
   * does not squeeze the rest into a corner), and a tick unit by the span
   * shown, so a few weeks tick by day or week and years by month or year.
   */
  function timeAxis(panel) {
    var spans = [];
    panel.series.forEach(function (s) {
      s.points.forEach(function (p) {
        spans.push([Date.parse(p.x), Date.parse(p.x2 || p.x)]);
      });
    });
    spans.sort(function (a, b) {
      return a[0] - b[0];
    });
    var lo = spans[0][0];
    var hi = spans.reduce(function (m, s) {
      return Math.max(m, s[1]);
    }, -Infinity);
    var pad = Math.max((hi - lo) * 0.04, 2 * DAY);
    var min = lo - pad;
    var max = hi + pad;
    var total = max - min;
    // Gaps: stretches no bar covers, longer than a third of the axis; each is drawn 4% wide.
    // Only between period counts: a running total's line would change its slope across a break.
    var gaps = [];
    var reach = spans[0][1];
    for (var i = 1; i < spans.length && panel.kind === 'period_count'; i++) {
      var margin = total * 0.03;
      if (spans[i][0] - reach > total * 0.35 + 2 * margin) gaps.push({ a: reach + margin, b: spans[i][0] - margin, v: total * 0.04 });
      reach = Math.max(reach, spans[i][1]);
    }
    var removed = gaps.reduce(function (n, g) {
      return n + (g.b - g.a - g.v);
    }, 0);
    var shown = total - removed;
    var virtual = function (value) {
      var u = value;
      for (var k = 0; k < gaps.length; k++) {
        var g = gaps[k];
        if (value >= g.b) u -= g.b - g.a - g.v;
        else if (value > g.a) u -= (value - g.a) * (1 - g.v / (g.b - g.a));
      }
      return u;
    };
    var real = function (u) {
      var value = u;
      for (var k = 0; k < gaps.length; k++) {
        var g = gaps[k];
        var start = virtual(g.a);
        if (u >= start + g.v) value += g.b - g.a - g.v;
        else if (u > start) value += (u - start) * ((g.b - g.a) / g.v - 1);
      }
      return value;
    };
    var days = shown / DAY;
    var unit = days <= 21 ? 'day' : days <= 120 ? 'week' : days <= 3 * 366 ? 'month' : 'year';
    return {
      min: min,
      max: max,
      unit: unit,
      gaps: gaps,
      toDecimal: function (value) {
        return (virtual(value) - virtual(min)) / shown;
      },
      fromDecimal: function (d) {
        return real(virtual(min) + d * shown);
      },
      inGap: function (value) {
        return gaps.some(function (g) {
          return value > g.a && value < g.b;
        });
      },
    };
  }

  // A time scale whose long empty stretches are shortened (see timeAxis); ticks inside them are dropped.
  function registerGapScale() {
    class GapTimeScale extends Chart.TimeScale {
      getDecimalForValue(value) {
        var axis = this.chart.canvas.$tallyAxis;
        if (value === null || !axis) return super.getDecimalForValue(value);
        return axis.toDecimal(value);
      }
      getValueForPixel(pixel) {
        var axis = this.chart.canvas.$tallyAxis;
        if (!axis) return super.getValueForPixel(pixel);
        var offsets = this._offsets;
        return axis.fromDecimal(this.getDecimalForPixel(pixel) / offsets.factor - offsets.end);
      }
      buildTicks() {
        var axis = this.chart.canvas.$tallyAxis;
        var ticks = super.buildTicks();
        return axis
          ? ticks.filter(function (t) {
              return !axis.inGap(t.value);
            })
          : ticks;
      }
    }
    GapTimeScale.id = 'gaptime';
    GapTimeScale.defaults = Chart.TimeScale.defaults;
    Chart.register(GapTimeScale);
  }

  // Each shortened stretch is shown as a break: a shaded band with two slashes on the axis.
  var breaks = {
    id: 'tallyBreaks',
    beforeDatasetsDraw: function (chart) {
      var scale = chart.scales.x;
      var axis = scale && chart.canvas.$tallyAxis;
      if (!axis || !axis.gaps.length) return;
      var ctx = chart.ctx;
      var area = chart.chartArea;
      ctx.save();
      axis.gaps.forEach(function (g) {
        var a = scale.getPixelForValue(g.a);
        var b = scale.getPixelForValue(g.b);
        ctx.fillStyle = 'rgba(87,96,106,0.08)';
        ctx.fillRect(a, area.top, b - a, area.bottom - area.top);
        ctx.strokeStyle = MUTED;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        [a + (b - a) * 0.3, a + (b - a) * 0.6].forEach(function (x) {
          ctx.moveTo(x - 4, area.bottom + 6);
          ctx.lineTo(x + 4, area.bottom - 6);
        });
        ctx.stroke();
      });
      ctx.restore();
    },
  };

  var dayMonth = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  var monthOnly = new Intl.DateTimeFormat(LOCALE, { month: 'short', timeZone: 'UTC' });
  var fullDate = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

  // Tick labels: the year under the first tick shown and wherever it changes, so an image of the chart always says the year.
  function tickText(unit, value) {
    var d = new Date(value);
    if (unit === 'year') return String(d.getUTCFullYear());
    return unit === 'month' ? monthOnly.format(d) : dayMonth.format(d);
  }

  // Run once the ticks that fit are chosen (Chart.js skips some after labelling them).
  function yearLabels(unit) {
    return function (scale) {
      var prev = null;
      scale.ticks.forEach(function (t) {
        var year = new Date(t.value).getUTCFullYear();
        t.label = unit === 'year' || prev === year ? tickText(unit, t.value) : [tickText(unit, t.value), String(year)];
        prev = year;
      });
    };
  }

  function lineDash(distinct, variant) {
    return distinct === 'claimed' ? [6, 4] : distinct === 'disputed' ? [2, 3] : variant ? VARIANT_DASH : [];
  }

  function datasetFor(panel, s) {
    var c = colour(s.colour);
    var hollow = s.distinct !== null;
    var common = {
      label: s.label,
      tallyDistinct: hollow,
      borderColor: c,
      borderWidth: 2,
      borderDash: lineDash(s.distinct, s.variant),
      tallyVariant: s.variant > 0,
      tallyColour: c,
      pointBackgroundColor: function (ctx) {
        return hollow || (ctx.raw && (ctx.raw.v === 'claimed' || ctx.raw.v === 'disputed')) ? '#ffffff' : c;
      },
      pointBorderColor: s.variant ? INK : c,
      pointBorderWidth: s.variant ? 1.5 : 2,
      pointStyle: function (ctx) {
        return (ctx.raw && MARKERS[ctx.raw.v]) || 'circle';
      },
    };
    if (panel.kind === 'level') {
      var byCategory = {};
      s.points.forEach(function (p) {
        byCategory[p.x] = p;
      });
      return Object.assign(common, {
        type: 'bar',
        data: panel.categories.map(function (label) {
          return byCategory[label] || { x: label, y: null, m: 0 };
        }),
        backgroundColor: hollow ? alpha(c, 0.15) : alpha(c, 0.75),
        // A variant bar is outlined in ink, so two identities of one colour stay apart.
        borderColor: s.variant ? INK : c,
        borderDash: undefined,
        pointStyle: undefined,
      });
    }
    if (panel.kind === 'running_total') {
      return Object.assign(common, {
        type: 'line',
        data: s.points,
        pointRadius: 6,
        pointHoverRadius: 8,
        fill: false,
        tension: 0,
        // A stretch that ends at a figure that is only reported is dashed: the line does not vouch for it.
        segment: {
          borderDash: function (ctx) {
            var a = ctx.p0 && ctx.p0.raw;
            var b = ctx.p1 && ctx.p1.raw;
            if (s.distinct) return lineDash(s.distinct);
            return (a && a.v !== 'verified') || (b && b.v !== 'verified') ? [4, 3] : lineDash(null, s.variant);
          },
        },
      });
    }
    // A period count: a rectangle from the first day of its period to the end
    // of its last, with one marker in the middle for its tooltip. Longer
    // periods are fainter and drawn first, so short ones over them stay legible.
    var data = [];
    s.points
      .slice()
      .sort(function (a, b) {
        return Date.parse(b.x2) - Date.parse(b.x) - (Date.parse(a.x2) - Date.parse(a.x));
      })
      .forEach(function (p) {
        var mid = new Date((Date.parse(p.x) + Date.parse(p.x2)) / 2).toISOString();
        data.push({ x: p.x, y: 0, m: 0 });
        data.push({ x: p.x, y: p.y, m: 0 });
        data.push(Object.assign({}, p, { x: mid, m: 1 }));
        data.push({ x: p.x2, y: p.y, m: 0 });
        data.push({ x: p.x2, y: 0, m: 0 });
        data.push({ x: p.x2, y: null, m: 0 });
      });
    return Object.assign(common, {
      type: 'line',
      data: data,
      parsing: { xAxisKey: 'x', yAxisKey: 'y' },
      spanGaps: false,
      fill: 'origin',
      backgroundColor: hollow ? alpha(c, 0.04) : alpha(c, 0.1),
      borderWidth: 2,
      tension: 0,
      pointRadius: function (ctx) {
        return isMarker(ctx.raw) ? 6 : 0;
      },
      pointHitRadius: function (ctx) {
        return isMarker(ctx.raw) ? 10 : 0;
      },
      pointHoverRadius: function (ctx) {
        return isMarker(ctx.raw) ? 8 : 0;
      },
    });
  }

  // ---- Tooltips: an HTML box inside the card, at a readable width, kept on the page. ----

  function text(tag, cls, content) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = content;
    return el;
  }

  function tooltipBox(chart) {
    var holder = chart.canvas.parentNode;
    var box = holder.querySelector('.chart-tooltip');
    if (!box) {
      box = document.createElement('div');
      box.className = 'chart-tooltip';
      box.setAttribute('role', 'status');
      box.hidden = true;
      holder.appendChild(box);
      // A pinned tooltip (after a tap) is the point's second tap target too: it opens the figure.
      box.addEventListener('click', function (evt) {
        if (box.classList.contains('pinned') && box.dataset.href && evt.target.tagName !== 'A') window.location.assign(box.dataset.href);
      });
    }
    return box;
  }

  function fillTooltip(box, raw, label) {
    box.replaceChildren();
    box.appendChild(text('p', 'tip-title', label));
    box.appendChild(text('p', 'tip-value', raw.tip[0]));
    raw.tip.slice(1).forEach(function (line) {
      box.appendChild(text('p', '', line));
    });
    if (raw.q) box.appendChild(text('blockquote', '', '“' + raw.q + '”'));
    box.dataset.href = raw.h || '';
    if (raw.h) {
      var p = document.createElement('p');
      var a = text('a', 'tip-open', STRINGS.open);
      a.href = raw.h;
      p.appendChild(a);
      box.appendChild(p);
    }
  }

  function placeTooltip(box, chart, x, y) {
    var holder = chart.canvas.parentNode;
    box.hidden = false;
    var width = box.offsetWidth;
    var height = box.offsetHeight;
    var holderBox = holder.getBoundingClientRect();
    var viewport = document.documentElement.clientWidth;
    var minLeft = -holderBox.left + 4;
    var maxLeft = viewport - holderBox.left - width - 4;
    var left;
    var top;
    if (x + 14 <= maxLeft) left = x + 14;
    else if (x - 14 - width >= minLeft) left = x - 14 - width;
    if (left !== undefined) top = Math.max(0, Math.min(y - height / 2, holder.clientHeight - height));
    else {
      // Too wide for either side (a phone): under the point if the screen has room, else over it; never covering it.
      left = Math.max(minLeft, Math.min(x - width / 2, maxLeft));
      top = holderBox.top + y + 16 + height <= window.innerHeight ? y + 16 : y - 16 - height;
    }
    box.style.left = left + 'px';
    box.style.top = top + 'px';
  }

  function externalTooltip(context) {
    var chart = context.chart;
    var model = context.tooltip;
    var box = tooltipBox(chart);
    if (chart.$tallyPinned) return;
    if (!model || model.opacity === 0 || !model.dataPoints || !model.dataPoints.length) {
      box.hidden = true;
      return;
    }
    var item = model.dataPoints[0];
    fillTooltip(box, item.raw, item.dataset.label);
    placeTooltip(box, chart, model.caretX, model.caretY);
  }

  function markerAt(chart, elements) {
    for (var i = 0; i < elements.length; i++) {
      var e = elements[i];
      var raw = chart.data.datasets[e.datasetIndex].data[e.index];
      if (isMarker(raw)) return { raw: raw, e: e };
    }
    return null;
  }

  function draw(canvas) {
    var panel = expand(JSON.parse(canvas.dataset.chart));
    var x;
    if (panel.kind === 'level') x = { type: 'category', labels: panel.categories };
    else {
      var axis = timeAxis(panel);
      // Kept on the canvas, not in the options: Chart.js would call its functions as scriptable options.
      canvas.$tallyAxis = axis;
      x = {
        type: 'gaptime',
        min: axis.min,
        max: axis.max,
        time: { unit: axis.unit, tooltipFormat: 'yyyy-MM-dd', isoWeekday: true },
        ticks: {
          callback: function (value) {
            return [tickText(axis.unit, value), '0000'];
          },
          maxRotation: 0,
          autoSkip: true,
          autoSkipPadding: 16,
        },
        afterUpdate: yearLabels(axis.unit),
      };
    }
    x.grid = { display: false };
    var lastTouch = 0;
    canvas.addEventListener(
      'touchstart',
      function () {
        lastTouch = Date.now();
      },
      { passive: true },
    );
    var chart = new Chart(canvas, {
      type: panel.kind === 'level' ? 'bar' : 'line',
      data: {
        datasets: panel.series.map(function (s) {
          return datasetFor(panel, s);
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: { xAxisKey: 'x', yAxisKey: 'y' },
        layout: { padding: { top: 24, right: 8 } },
        interaction: { mode: 'nearest', intersect: true },
        scales: {
          x: x,
          y: {
            beginAtZero: true,
            grace: '12%',
            title: { display: true, text: STRINGS[panel.unit] || panel.unit },
            ticks: {
              callback: function (v) {
                return compact(v, panel.unit);
              },
            },
          },
        },
        plugins: {
          // The card's own HTML legend wraps and never cuts a name short.
          legend: { display: false },
          tooltip: {
            enabled: false,
            external: externalTooltip,
            filter: function (item) {
              return isMarker(item.raw);
            },
            callbacks: {
              title: function (items) {
                return items.length ? items[0].dataset.label : '';
              },
              label: function (item) {
                return item.raw.tip;
              },
            },
          },
        },
        onHover: function (evt, elements, c) {
          c.canvas.classList.toggle('clickable', markerAt(c, elements) !== null);
        },
        onClick: function (evt, elements, c) {
          var hit = markerAt(c, elements);
          var box = tooltipBox(c);
          if (!hit) {
            c.$tallyPinned = null;
            box.classList.remove('pinned');
            box.hidden = true;
            return;
          }
          // On touch the first tap shows the tooltip (with a link to the figure); a second tap on the same point opens it.
          if (Date.now() - lastTouch < 1500) {
            var key = hit.e.datasetIndex + ':' + hit.e.index;
            if (c.$tallyPinned !== key) {
              c.$tallyPinned = key;
              c.tooltip.setActiveElements([{ datasetIndex: hit.e.datasetIndex, index: hit.e.index }], { x: hit.e.element.x, y: hit.e.element.y });
              c.update('none');
              fillTooltip(box, hit.raw, c.data.datasets[hit.e.datasetIndex].label);
              placeTooltip(box, c, hit.e.element.x, hit.e.element.y);
              box.classList.add('pinned');
              return;
            }
          }
          if (hit.raw.h) window.location.assign(hit.raw.h);
        },
      },
      plugins: [background, breaks, annotations],
    });
    return chart;
  }

  // ---- The PNG: the card drawn around the chart on a bigger canvas. ----

  function wrap(ctx, words, maxWidth) {
    var lines = [];
    var line = '';
    words.split(/\s+/).forEach(function (w) {
      var next = line ? line + ' ' + w : w;
      if (ctx.measureText(next).width > maxWidth && line) {
        lines.push(line);
        line = w;
      } else line = next;
    });
    if (line) lines.push(line);
    return lines;
  }

  // The card's key of markers (verified, reported, claimed, disputed) and its line notes, laid out in rows for the image.
  function markerKey(card, measure, inner) {
    var items = [];
    card.querySelectorAll('.marker-key li').forEach(function (li) {
      var svg = li.querySelector('svg.marker');
      var v = svg ? (svg.getAttribute('class').match(/marker-(\w+)/) || [])[1] : null;
      items.push({ v: v, label: li.textContent.trim() });
    });
    var rows = [];
    var row = [];
    var rowWidth = measure.measureText(STRINGS.markers).width + 12;
    items.forEach(function (item) {
      var w = Math.min(measure.measureText(item.label).width, inner - 24) + (item.v ? 22 : 0) + 16;
      if (rowWidth + w > inner && row.length) {
        rows.push(row);
        row = [];
        rowWidth = 0;
      }
      row.push({ item: item, w: w });
      rowWidth += w;
    });
    if (row.length) rows.push(row);
    return { rows: rows };
  }

  function drawMarker(ctx, v, cx, cy) {
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    if (v === 'verified') {
      ctx.arc(cx, cy, 5, 0, 2 * Math.PI);
      ctx.fill();
    } else if (v === 'reported') {
      ctx.moveTo(cx, cy - 5.5);
      ctx.lineTo(cx + 5.5, cy + 5);
      ctx.lineTo(cx - 5.5, cy + 5);
      ctx.closePath();
      ctx.fill();
    } else if (v === 'claimed') {
      ctx.moveTo(cx, cy - 6);
      ctx.lineTo(cx + 6, cy);
      ctx.lineTo(cx, cy + 6);
      ctx.lineTo(cx - 6, cy);
      ctx.closePath();
      ctx.fillStyle = '#ffffff';
      ctx.fill();
      ctx.stroke();
    } else {
      ctx.moveTo(cx - 5, cy - 5);
      ctx.lineTo(cx + 5, cy + 5);
      ctx.moveTo(cx + 5, cy - 5);
      ctx.lineTo(cx - 5, cy + 5);
      ctx.stroke();
    }
  }

  function drawMarkerKey(ctx, key, pad, y) {
    key.rows.forEach(function (r, i) {
      var x = pad;
      if (i === 0) {
        ctx.fillStyle = MUTED;
        ctx.fillText(STRINGS.markers, x, y);
        x += ctx.measureText(STRINGS.markers).width + 12;
      }
      r.forEach(function (entry) {
        if (entry.item.v) {
          drawMarker(ctx, entry.item.v, x + 7, y + 7);
          x += 22;
        }
        ctx.fillStyle = INK;
        ctx.fillText(entry.item.label, x, y);
        x += entry.w - (entry.item.v ? 22 : 0);
      });
      y += 20;
    });
    return y;
  }

  /** The card as an image: title, subtitle, chart, legend, key of markers, source line, the view's address and the date. */
  function cardImage(card) {
    var canvas = card.querySelector('canvas[data-chart]');
    var chart = Chart.getChart(canvas);
    // The chart's last drawn size: its canvas may sit in a hidden tab (the Download tab is showing).
    var width = chart.width;
    var pad = 16;
    var inner = width;
    var scale = chart.currentDevicePixelRatio || 1;
    var measure = document.createElement('canvas').getContext('2d');
    var title = card.querySelector('.chart-title').textContent.trim();
    var subtitle = card.querySelector('.card-subtitle').textContent.trim();
    var source = card.querySelector('.card-source').textContent.trim();
    var url = new URL(card.dataset.url, window.location.href).href;
    var made = fullDate.format(new Date());
    var fonts = { title: '700 18px system-ui, sans-serif', sub: '13px system-ui, sans-serif', small: '12px system-ui, sans-serif' };
    measure.font = fonts.title;
    var titleLines = wrap(measure, title, inner);
    measure.font = fonts.sub;
    var subLines = wrap(measure, subtitle, inner);
    measure.font = fonts.small;
    var sourceLines = wrap(measure, source, inner);
    var footLines = wrap(measure, 'Tally · ' + url + ' · ' + STRINGS.made.replace('{{date}}', made), inner);
    var legend = chart.data.datasets.map(function (ds, i) {
      return { label: ds.label, colour: ds.tallyColour, dash: ds.borderDash || [], variant: ds.tallyVariant, hidden: !chart.isDatasetVisible(i) };
    });
    var key = markerKey(card, measure, inner);
    var rows = [];
    var row = [];
    var rowWidth = 0;
    legend.forEach(function (l) {
      var w = Math.min(measure.measureText(l.label).width, inner - 40) + 44;
      if (rowWidth + w > inner && row.length) {
        rows.push(row);
        row = [];
        rowWidth = 0;
      }
      row.push({ l: l, w: w });
      rowWidth += w;
    });
    if (row.length) rows.push(row);
    var chartHeight = chart.height;
    var height =
      pad + titleLines.length * 24 + subLines.length * 18 + 10 + chartHeight + 8 + rows.length * 20 + key.rows.length * 20 + 10 + sourceLines.length * 16 + 4 + footLines.length * 16 + pad;
    var out = document.createElement('canvas');
    out.width = Math.round((width + 2 * pad) * scale);
    out.height = Math.round(height * scale);
    var ctx = out.getContext('2d');
    ctx.scale(scale, scale);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width + 2 * pad, height);
    ctx.textBaseline = 'top';
    var y = pad;
    ctx.fillStyle = INK;
    ctx.font = fonts.title;
    titleLines.forEach(function (l) {
      ctx.fillText(l, pad, y);
      y += 24;
    });
    ctx.fillStyle = MUTED;
    ctx.font = fonts.sub;
    subLines.forEach(function (l) {
      ctx.fillText(l, pad, y);
      y += 18;
    });
    y += 10;
    ctx.drawImage(canvas, pad, y, width, chartHeight);
    y += chartHeight + 8;
    ctx.font = fonts.small;
    rows.forEach(function (r) {
      var x = pad;
      r.forEach(function (item) {
        ctx.strokeStyle = item.l.colour;
        ctx.lineWidth = 3;
        ctx.setLineDash(item.l.dash);
        ctx.beginPath();
        ctx.moveTo(x, y + 7);
        ctx.lineTo(x + 28, y + 7);
        ctx.stroke();
        ctx.setLineDash([]);
        if (item.l.variant) {
          ctx.fillStyle = item.l.colour;
          ctx.strokeStyle = INK;
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.arc(x + 14, y + 7, 3.5, 0, 2 * Math.PI);
          ctx.fill();
          ctx.stroke();
        }
        ctx.fillStyle = item.l.hidden ? MUTED : INK;
        var label = item.l.label;
        while (ctx.measureText(label).width > item.w - 44 && label.length > 4) label = label.slice(0, -2);
        if (label !== item.l.label) label = label.slice(0, -1) + '…';
        ctx.fillText(label, x + 34, y);
        x += item.w;
      });
      y += 20;
    });
    y = drawMarkerKey(ctx, key, pad, y);
    y += 10;
    ctx.fillStyle = MUTED;
    sourceLines.forEach(function (l) {
      ctx.fillText(l, pad, y);
      y += 16;
    });
    y += 4;
    footLines.forEach(function (l) {
      ctx.fillText(l, pad, y);
      y += 16;
    });
    return out;
  }

  function downloadPng(button) {
    var card = document.getElementById(button.dataset.card);
    if (!card) return;
    var link = document.createElement('a');
    link.href = cardImage(card).toDataURL('image/png');
    link.download = button.dataset.filename || 'tally-chart.png';
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  // ---- Card enhancements: tabs without jumps, absolute addresses, legend toggles. ----

  function showView(card, view) {
    card.dataset.view = view;
    card.querySelectorAll('.tab').forEach(function (tab) {
      if (tab.dataset.view === view) tab.setAttribute('aria-current', 'true');
      else tab.removeAttribute('aria-current');
    });
  }

  function enhanceCard(card) {
    var target = window.location.hash.slice(1);
    var initial = 'chart';
    card.querySelectorAll('.card-view').forEach(function (v) {
      if (v.id === target) initial = v.id.slice(card.id.length + 1);
    });
    showView(card, initial);
    card.querySelectorAll('.tab').forEach(function (tab) {
      tab.addEventListener('click', function (evt) {
        evt.preventDefault();
        showView(card, tab.dataset.view);
        if (window.history.replaceState) window.history.replaceState(null, '', '#' + card.id + '-' + tab.dataset.view);
      });
    });
    var absolute = new URL(card.dataset.url, window.location.href).href;
    var share = card.querySelector('.share-link');
    if (share) {
      share.href = absolute;
      share.textContent = absolute;
    }
    var code = card.querySelector('.embed-code');
    if (code) code.value = code.value.replace(/src="[^"]*"/, 'src="' + new URL(code.dataset.src, window.location.href).href + '"');
    var canvas = card.querySelector('canvas[data-chart]');
    var chart = canvas && Chart.getChart(canvas);
    if (!chart) return;
    card.querySelectorAll('.legend-item').forEach(function (item, i) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'legend-toggle';
      button.setAttribute('aria-pressed', 'true');
      while (item.firstChild) button.appendChild(item.firstChild);
      item.appendChild(button);
      button.addEventListener('click', function () {
        var visible = !chart.isDatasetVisible(i);
        chart.setDatasetVisibility(i, visible);
        chart.update();
        button.setAttribute('aria-pressed', String(visible));
        item.classList.toggle('off', !visible);
      });
    });
  }

  function start() {
    if (typeof Chart === 'undefined') return;
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    Chart.defaults.color = INK;
    registerGapScale();
    document.querySelectorAll('canvas[data-chart]').forEach(draw);
    document.querySelectorAll('.chart-card').forEach(enhanceCard);
    document.querySelectorAll('.png-download').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () {
        downloadPng(button);
      });
    });
    document.querySelectorAll('.chart').forEach(function (container) {
      var controls = container.querySelector('.chart-controls');
      var toggle = container.querySelector('.toggle-distinct');
      if (!controls || !toggle) return;
      controls.hidden = false;
      toggle.addEventListener('change', function () {
        container.querySelectorAll('.chart-card').forEach(function (card) {
          var canvas = card.querySelector('canvas[data-chart]');
          var chart = canvas && Chart.getChart(canvas);
          if (!chart) return;
          var items = card.querySelectorAll('.legend-item');
          chart.data.datasets.forEach(function (ds, i) {
            if (!ds.tallyDistinct) return;
            chart.setDatasetVisibility(i, toggle.checked);
            if (items[i]) items[i].classList.toggle('off', !toggle.checked);
          });
          chart.update();
        });
      });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
