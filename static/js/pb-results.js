// Results charts drawn with plotly.js (served from the installed plotly package). The data
// comes from a JSON script tag; the same numbers are in the tables under each chart.
(function () {
  "use strict";
  var source = document.getElementById("pb-chart-data");
  if (!source || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};
  var layout = { margin: { t: 40, l: 60, r: 20, b: 120 }, height: 360 };
  var config = { displayModeBar: false, responsive: true };

  function draw(id, traces, title) {
    var el = document.getElementById(id);
    if (el) { Plotly.newPlot(el, traces, Object.assign({ title: title }, layout), config); }
  }

  draw("pb-chart-covered", [{ type: "bar", x: [labels.rule, labels.greedy],
    y: data.covered, marker: { color: ["#1b6ac9", "#888888"] } }], labels.covered);
  var d = data.differ;
  if (d.names.length) {
    draw("pb-chart-differ", [
      { type: "bar", name: labels.rule, x: d.names.filter(function (_, i) { return d.in_rule[i]; }),
        y: d.votes.filter(function (_, i) { return d.in_rule[i]; }), marker: { color: "#1b6ac9" } },
      { type: "bar", name: labels.greedy, x: d.names.filter(function (_, i) { return !d.in_rule[i]; }),
        y: d.votes.filter(function (_, i) { return !d.in_rule[i]; }), marker: { color: "#888888" } }
    ], labels.differ);
  }
  if (data.prices.names.length) {
    draw("pb-chart-prices", [{ type: "bar", x: data.prices.names, y: data.prices.values,
      marker: { color: "#1b6ac9" } }], labels.prices);
  }
})();
