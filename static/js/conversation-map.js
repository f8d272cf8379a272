// Draws the opinion map (and the UMAP view) from JSON in the page; the tables under the
// charts carry the same information without JavaScript.
(function () {
  "use strict";
  var COLOURS = ["#1b6ca8", "#d9822b", "#2e8540", "#a23b72", "#6a4c93", "#8c564b", "#5f6b6d"];
  function draw(dataId, chartId) {
    var source = document.getElementById(dataId);
    var chart = document.getElementById(chartId);
    if (!source || !chart || !window.Plotly) { return; }
    var data = JSON.parse(source.textContent);
    var traces = [];
    var groups = {};
    data.group.forEach(function (g, i) {
      (groups[g] = groups[g] || []).push(i);
    });
    Object.keys(groups).sort().forEach(function (g, n) {
      var rows = groups[g];
      var label = (data.labels && data.labels[g]) || g;
      traces.push({
        type: "scatter", mode: "markers", name: chart.dataset.groupLabel + " " + label,
        x: rows.map(function (i) { return data.x[i]; }),
        y: rows.map(function (i) { return data.y[i]; }),
        marker: {size: 7, opacity: 0.7, color: COLOURS[n % COLOURS.length]},
        hoverinfo: "name"
      });
    });
    var you = data.pids.indexOf(data.you);
    if (data.you !== null && data.you !== undefined && you >= 0) {
      traces.push({type: "scatter", mode: "markers+text", name: chart.dataset.youLabel,
                   x: [data.x[you]], y: [data.y[you]], text: [chart.dataset.youLabel],
                   textposition: "top center",
                   marker: {size: 16, symbol: "star", color: "#000"}});
    }
    window.Plotly.newPlot(chart, traces, {
      margin: {l: 20, r: 20, t: 20, b: 20}, height: 420,
      xaxis: {showticklabels: false, zeroline: false}, yaxis: {showticklabels: false, zeroline: false},
      legend: {orientation: "h"}
    }, {displayModeBar: false, responsive: true});
  }
  draw("map-data", "opinion-map");
  draw("umap-data", "umap-map");
}());
