// Charts of /admin/insights, drawn with Chart.js (served from node_modules) from the JSON
// block the page carries. Every chart repeats a table on the page, which stays the source a
// screen reader reads; the canvases carry role="img" and a label pointing at their table.
(function () {
  "use strict";
  var node = document.getElementById("insights-chart-data");
  if (!node || typeof window.Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  var L = data.labels;
  var Chart = window.Chart;
  Chart.defaults.animation = false; // the page is read, not watched; also steadier screenshots
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.color = "#1f2328";

  function canvas(id) { return document.getElementById(id); }

  if (canvas("chart-weeks")) {
    new Chart(canvas("chart-weeks"), {
      type: "bar",
      data: {
        labels: data.weeks.map(function (w) { return w.week; }),
        datasets: [
          { label: L.answered, backgroundColor: "#1f5fa8",
            data: data.weeks.map(function (w) { return w.answered; }) },
          { label: L.abandoned, backgroundColor: "#f08c00",
            data: data.weeks.map(function (w) {
              return w.abandoned_before_estimate + w.abandoned_after_estimate; }) },
          { label: L.turned_away, backgroundColor: "#b3261e",
            data: data.weeks.map(function (w) { return w.turned_away; }) }
        ]
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
                                                      ticks: { precision: 0 } } } }
    });
  }

  if (canvas("chart-wait")) {
    new Chart(canvas("chart-wait"), {
      type: "bar",
      data: {
        labels: data.wait_labels,
        datasets: [{ label: L.count, backgroundColor: "#1f5fa8",
                     data: data.wait.map(function (b) { return b.count; }) }]
      },
      options: { plugins: { legend: { display: false } },
                 scales: { x: { title: { display: true, text: L["chart.wait_x"] } },
                           y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  if (canvas("chart-coverage")) {
    var labels = data.grid.map(function (c) {
      return data.weekdays[c.weekday].slice(0, 2) + " " + String(c.hour).padStart(2, "0");
    });
    var series = function (key) { return data.grid.map(function (c) { return c[key]; }); };
    new Chart(canvas("chart-coverage"), {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: L.needed, data: series("needed"), borderColor: "#b3261e",
            backgroundColor: "#b3261e", stepped: true, pointRadius: 0 },
          { label: L.scheduled, data: series("scheduled"), borderColor: "#1f5fa8",
            backgroundColor: "rgba(31, 95, 168, 0.18)", fill: "origin", stepped: true,
            pointRadius: 0 },
          { label: L.on_duty, data: series("on_duty"), borderColor: "#2da44e",
            backgroundColor: "#2da44e", borderDash: [6, 4], stepped: true, pointRadius: 0 }
        ]
      },
      options: { scales: { x: { ticks: { autoSkip: true, maxTicksLimit: 14 } },
                           y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
})();
