/*
 * Tessere – monitoring charts (Chart.js 4, from npm: static/vendor/chart.js/chart.umd.min.js).
 *
 * The figures are computed on the server; each chart reads them from a <script type="application/json"> block
 * named by its canvas's data-chart-source (no inline scripts: the pages run under a CSP without 'unsafe-inline').
 * Every chart has its table beside it, which is what screen readers use; the canvas carries role="img" and a label.
 * Values hidden for privacy ("<5") arrive as null and are simply not drawn.
 * The page's language (number format, the tooltip of a hidden value) comes from the JSON block #i18n-dashboard.
 */
(function () {
  "use strict";

  // Colour-blind safe (Okabe–Ito), starting with the bootstrap-italia primary blue.
  var PALETTE = ["#0066CC", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#5C6F82", "#F0E442"];
  var TEXT = (function () {
    var block = document.getElementById("i18n-dashboard");
    var defaults = { locale: "it-IT", hidden: "valore nascosto" };
    if (!block) { return defaults; }
    try { return Object.assign(defaults, JSON.parse(block.textContent)); } catch (e) { return defaults; }
  })();
  var numbers = new Intl.NumberFormat(TEXT.locale, { maximumFractionDigits: 1 });

  function datasetsFor(spec) {
    var doughnut = spec.type === "doughnut";
    return spec.datasets.map(function (dataset, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: doughnut ? spec.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }) : colour,
        borderColor: doughnut ? "#FFFFFF" : colour,
        borderWidth: spec.type === "line" ? 2 : 1,
        pointRadius: spec.type === "line" ? 3 : 0,
        spanGaps: false,
        fill: false,
        tension: 0.2
      };
    });
  }

  function configFor(spec) {
    var horizontal = spec.type === "hbar";
    var type = horizontal ? "bar" : spec.type;
    var config = {
      type: type,
      data: { labels: spec.labels, datasets: datasetsFor(spec) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: TEXT.locale,
        plugins: {
          legend: { position: "bottom", labels: { font: { family: "'Titillium Web', sans-serif" } } },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.raw === null || item.raw === undefined ? TEXT.hidden : numbers.format(item.raw);
                return (item.dataset.label || "") + ": " + value;
              }
            }
          }
        }
      }
    };
    if (type !== "doughnut") {
      var valueAxis = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
      var categoryAxis = { stacked: !!spec.stacked, ticks: { autoSkip: !horizontal } };
      if (horizontal) {
        // Long names (needs, offers) would be cut at the canvas edge: shorten them; the table has them whole.
        categoryAxis.ticks.callback = function (value) {
          var label = String(this.getLabelForValue(value));
          return label.length > 34 ? label.slice(0, 32) + "…" : label;
        };
      }
      config.options.indexAxis = horizontal ? "y" : "x";
      config.options.scales = horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis };
    }
    return config;
  }

  function sizeContainer(canvas, spec) {
    // Horizontal bars get a height that fits their rows (CSSOM changes are allowed by the CSP; style="" is not).
    if (spec.type !== "hbar") { return; }
    var container = canvas.parentElement;
    container.style.height = Math.max(220, 60 + spec.labels.length * 28) + "px";
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source || typeof window.Chart === "undefined") { return; }
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    sizeContainer(canvas, spec);
    canvas.chart = new window.Chart(canvas, configFor(spec));
    canvas.setAttribute("data-chart-ready", "1");
  }

  function init() {
    var canvases = document.querySelectorAll("canvas[data-chart-source]");
    Array.prototype.forEach.call(canvases, draw);
    document.documentElement.setAttribute("data-charts-ready", String(canvases.length));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
