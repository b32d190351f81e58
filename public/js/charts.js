/* global Chart */
// Draws the charts whose data the server put in data-chart attributes. All
// decisions about what to plot are made on the server; this only draws.
(function () {
  'use strict';

  var PALETTE = ['#0b5cad', '#b45309', '#1a7f37', '#6e40c9', '#be185d', '#0e7490', '#4d7c0f', '#9a3412', '#475569'];
  var INK = '#1b1f24';
  var LABEL_LIMIT = 40;

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
    if (n >= 1e9) return prefix + Math.round(n / 1e8) / 10 + ' bn';
    if (n >= 1e6) return prefix + Math.round(n / 1e5) / 10 + ' M';
    return prefix + new Intl.NumberFormat('en-GB').format(n) + suffix;
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
          labels.push({ text: raw.t, x: el.x, y: top - 7, rank: /^[~≥>≤]/.test(raw.t) ? 0 : 1 });
        });
      });
      if (markers <= LABEL_LIMIT) {
        ctx.font = '600 12px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'bottom';
        var placed = [];
        labels.sort(function (a, b) {
          return a.rank - b.rank;
        });
        labels.forEach(function (l) {
          var w = ctx.measureText(l.text).width + 6;
          var box = { x1: l.x - w / 2, x2: l.x + w / 2, y1: l.y - 14, y2: l.y };
          var clashes = function (b) {
            return placed.some(function (p) {
              return b.x1 < p.x2 && p.x1 < b.x2 && b.y1 < p.y2 && p.y1 < b.y2;
            });
          };
          if (clashes(box)) {
            // Next try: to the right of the point.
            var dx = w / 2 + 8;
            box = { x1: box.x1 + dx, x2: box.x2 + dx, y1: box.y1 + 14, y2: box.y2 + 14 };
            if (clashes(box)) return;
            l = { text: l.text, x: l.x + dx, y: l.y + 14 };
          }
          placed.push(box);
          // A white halo keeps the label readable over bars and lines.
          ctx.lineWidth = 3;
          ctx.strokeStyle = '#ffffff';
          ctx.strokeText(l.text, l.x, l.y);
          ctx.fillStyle = INK;
          ctx.fillText(l.text, l.x, l.y);
        });
      }
      ctx.restore();
    },
  };

  // The server sends each document name once; every tooltip names its originator and document.
  function expand(panel) {
    panel.series.forEach(function (s) {
      s.points.forEach(function (p) {
        p.tip = [p.tip[0], 'Originator: ' + s.o, 'Document: ' + panel.docs[p.d]].concat(p.tip.slice(1));
      });
    });
    return panel;
  }

  function timeBounds(panel) {
    var lo = Infinity;
    var hi = -Infinity;
    panel.series.forEach(function (s) {
      s.points.forEach(function (p) {
        lo = Math.min(lo, Date.parse(p.x));
        hi = Math.max(hi, Date.parse(p.x2 || p.x));
      });
    });
    var pad = Math.max((hi - lo) * 0.06, 3 * 86400000);
    return { min: lo - pad, max: hi + pad };
  }

  function datasetFor(panel, s) {
    var c = colour(s.colour);
    var distinct = s.distinct !== null;
    var common = {
      label: s.label,
      tallyDistinct: distinct,
      borderColor: c,
      borderWidth: 2,
      borderDash: distinct ? [6, 4] : [],
      pointBackgroundColor: distinct ? '#ffffff' : c,
      pointBorderColor: c,
      pointBorderWidth: 2,
      pointStyle: s.distinct === 'claimed' ? 'rectRot' : 'circle',
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
        backgroundColor: distinct ? alpha(c, 0.15) : alpha(c, 0.75),
        borderDash: undefined,
      });
    }
    if (panel.kind === 'running_total') {
      return Object.assign(common, {
        type: 'line',
        data: s.points,
        pointRadius: 5,
        pointHoverRadius: 7,
        fill: false,
        tension: 0,
      });
    }
    // A period count: a filled rectangle from the first day of its period to
    // the end of its last, with one marker at the middle for its tooltip.
    var data = [];
    s.points.forEach(function (p) {
      var mid = new Date((Date.parse(p.x) + Date.parse(p.x2)) / 2).toISOString();
      data.push({ x: p.x, y: p.y, m: 0 });
      data.push(Object.assign({}, p, { x: mid, m: 1 }));
      data.push({ x: p.x2, y: p.y, m: 0 });
      data.push({ x: p.x2, y: null, m: 0 });
    });
    return Object.assign(common, {
      type: 'line',
      data: data,
      spanGaps: false,
      fill: 'origin',
      backgroundColor: distinct ? alpha(c, 0.06) : alpha(c, 0.16),
      borderWidth: 3,
      tension: 0,
      pointRadius: function (ctx) {
        return isMarker(ctx.raw) ? 5 : 0;
      },
      pointHitRadius: function (ctx) {
        return isMarker(ctx.raw) ? 8 : 0;
      },
      pointHoverRadius: function (ctx) {
        return isMarker(ctx.raw) ? 7 : 0;
      },
    });
  }

  function draw(canvas) {
    var panel = expand(JSON.parse(canvas.dataset.chart));
    var x =
      panel.kind === 'level'
        ? { type: 'category', labels: panel.categories }
        : Object.assign({ type: 'time', time: { tooltipFormat: 'yyyy-MM-dd', minUnit: 'day' } }, timeBounds(panel));
    x.grid = { display: false };
    return new Chart(canvas, {
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
        layout: { padding: { top: 24 } },
        interaction: { mode: 'nearest', intersect: true },
        scales: {
          x: x,
          y: {
            beginAtZero: true,
            grace: '12%',
            title: { display: true, text: panel.unit === 'usd' ? 'US dollars' : panel.unit },
            ticks: {
              callback: function (v) {
                return compact(v, panel.unit);
              },
            },
          },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 28 } },
          tooltip: {
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
              footer: function () {
                return 'Click to open the figure';
              },
            },
          },
        },
        onHover: function (evt, elements, chart) {
          var hit = elements.some(function (e) {
            return isMarker(chart.data.datasets[e.datasetIndex].data[e.index]);
          });
          chart.canvas.classList.toggle('clickable', hit);
        },
        onClick: function (evt, elements, chart) {
          for (var i = 0; i < elements.length; i++) {
            var raw = chart.data.datasets[elements[i].datasetIndex].data[elements[i].index];
            if (isMarker(raw) && raw.h) {
              window.location.assign(raw.h);
              return;
            }
          }
        },
      },
      plugins: [background, annotations],
    });
  }

  function downloadPng(button) {
    var canvas = document.getElementById(button.dataset.canvas);
    if (!canvas) return;
    var link = document.createElement('a');
    link.href = canvas.toDataURL('image/png');
    link.download = button.dataset.filename || 'tally-chart.png';
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function start() {
    if (typeof Chart === 'undefined') return;
    Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    Chart.defaults.color = INK;
    document.querySelectorAll('canvas[data-chart]').forEach(draw);
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
        container.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
          var chart = Chart.getChart(canvas);
          if (!chart) return;
          chart.data.datasets.forEach(function (ds, i) {
            if (ds.tallyDistinct) chart.setDatasetVisibility(i, toggle.checked);
          });
          chart.update();
        });
      });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
