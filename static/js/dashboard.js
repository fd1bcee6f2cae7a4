/* The owner's dashboard: draws the charts from the figures the page carries (#dashboard-data),
   and draws them again when a new period is swapped in by htmx. Chart.js is ours, in static/vendor. */
(function () {
  "use strict";
  var charts = [];

  function money(value) {
    return new Intl.NumberFormat(document.documentElement.lang || "ru", { maximumFractionDigits: 0 }).format(value) + " ₽";
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    var common = { responsive: true, maintainAspectRatio: false, animation: false };
    charts.push(new Chart(document.getElementById("chart-trend"), {
      data: {
        labels: data.trend.labels,
        datasets: [
          { type: "bar", label: source.dataset.revenue || "₽", data: data.trend.revenue, yAxisID: "y", backgroundColor: "#79aec8" },
          { type: "line", label: "#", data: data.trend.orders, yAxisID: "y1", borderColor: "#c0392b", pointRadius: 0, tension: 0.3 }
        ]
      },
      options: Object.assign({}, common, {
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          label: function (item) { return item.dataset.yAxisID === "y" ? money(item.raw) : item.raw; } } } },
        scales: { y: { ticks: { callback: money } }, y1: { position: "right", grid: { drawOnChartArea: false } } }
      })
    }));
    charts.push(new Chart(document.getElementById("chart-cpo"), {
      type: "bar",
      data: { labels: data.cpo.labels, datasets: [{ data: data.cpo.values, backgroundColor: "#417690" }] },
      options: Object.assign({}, common, { indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: { ticks: { callback: money } } } })
    }));
    charts.push(new Chart(document.getElementById("chart-funnel"), {
      type: "bar",
      data: { labels: data.funnel.labels, datasets: [{ data: data.funnel.values, backgroundColor: "#5b9b6b" }] },
      // Visits outnumber orders fifty to one: a log scale keeps every step visible.
      options: Object.assign({}, common, { indexAxis: "y", plugins: { legend: { display: false } },
        scales: { x: { type: "logarithmic" } } })
    }));
    var board = document.getElementById("an-dashboard");
    if (board) { board.dataset.drawnFor = data.period.start + "/" + data.period.end; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    document.body.addEventListener("htmx:afterSwap", draw);
  });
}());
