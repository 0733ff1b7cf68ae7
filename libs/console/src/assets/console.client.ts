/**
 * The console's own script, served as /console/assets/console.js: draws and redraws the outcome
 * chart (Chart.js) from the data the server put on the live part of a run's page. Everything
 * else is plain HTML forms and htmx attributes.
 */
export const CONSOLE_JS = `
(function () {
  'use strict';
  var chart;
  function draw() {
    var live = document.getElementById('run-live');
    var canvas = document.getElementById('outcomes-chart');
    if (!live || !canvas || !window.Chart) return;
    var data = JSON.parse(live.getAttribute('data-chart') || '[]');
    var labels = data.map(function (d) { return d.label; });
    var values = data.map(function (d) { return d.value; });
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = values;
      chart.update('none');
      return;
    }
    chart = new window.Chart(canvas, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: canvas.getAttribute('aria-label'), data: values, backgroundColor: '#0b5cad' }] },
      options: { indexAxis: 'y', animation: false, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
    });
  }
  document.addEventListener('DOMContentLoaded', draw);
  document.addEventListener('htmx:afterSettle', draw);
  document.addEventListener('htmx:sseClose', function () {
    var note = document.getElementById('live-note');
    if (note) note.remove();
  });
})();
`;
