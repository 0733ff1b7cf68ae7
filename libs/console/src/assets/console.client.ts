/**
 * The console's own script, served as /console/assets/console.js: draws the outcome chart of a
 * run (redrawn as its live part is pushed) and the match-weight waterfalls of a finding
 * (Chart.js, from the data the server put on the page), and the workbench's keys: a accept,
 * r reject, j next, k previous. Everything else is plain HTML forms and htmx attributes.
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
  function waterfalls() {
    if (!window.Chart) return;
    document.querySelectorAll('canvas.waterfall-chart').forEach(function (canvas) {
      if (canvas.getAttribute('data-drawn')) return;
      canvas.setAttribute('data-drawn', '1');
      var bars = JSON.parse(canvas.getAttribute('data-waterfall') || '[]');
      new window.Chart(canvas, {
        type: 'bar',
        data: {
          labels: bars.map(function (b) { return b.label; }),
          datasets: [{
            data: bars.map(function (b) { return [b.from, b.to]; }),
            backgroundColor: bars.map(function (b, i) {
              return i === 0 || i === bars.length - 1 ? '#0b5cad' : b.to >= b.from ? '#116329' : '#a40e26';
            })
          }]
        },
        options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { title: { display: true, text: 'bits' } } } }
      });
    });
  }
  function keys(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName)) return;
    var el;
    if (event.key === 'a' && (el = document.getElementById('accept'))) { event.preventDefault(); el.click(); }
    else if (event.key === 'r' && (el = document.getElementById('reject'))) {
      event.preventDefault();
      var note = document.getElementById('note');
      if (note && !note.value.trim()) note.focus(); else el.click();
    }
    else if (event.key === 'j' && (el = document.getElementById('next'))) { event.preventDefault(); window.location.assign(el.href); }
    else if (event.key === 'k' && (el = document.getElementById('previous'))) { event.preventDefault(); window.location.assign(el.href); }
  }
  var procedures;
  function proceduresChart() {
    var canvas = document.getElementById('procedures-chart');
    if (!canvas || !window.Chart || procedures) return;
    var data = JSON.parse(canvas.getAttribute('data-chart') || '{"days":[],"series":[]}');
    var colours = { ACCEPTED: '#8c959f', RUNNING: '#0b5cad', WAITING_RETRY: '#e8a317', AWAITING_APPROVAL: '#8250df', NEEDS_REVIEW: '#a40e26', COMPLETED: '#116329', RESOLVED: '#57606a' };
    procedures = new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.days,
        datasets: data.series.map(function (s) { return { label: s.label, data: s.values, backgroundColor: colours[s.state] || '#57606a' }; })
      },
      options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
    });
  }
  function verify(button) {
    var target = document.getElementById('verify-progress');
    if (!target || !window.EventSource) return;
    button.disabled = true;
    var source = new EventSource(button.getAttribute('data-verify'));
    source.addEventListener('progress', function (event) { target.innerHTML = event.data; });
    source.addEventListener('done', function () { source.close(); button.disabled = false; });
    source.onerror = function () { source.close(); button.disabled = false; };
  }
  document.addEventListener('click', function (event) {
    var el = event.target && event.target.closest ? event.target.closest('[data-print],[data-verify]') : null;
    if (!el) return;
    if (el.hasAttribute('data-print')) window.print();
    else verify(el);
  });
  document.addEventListener('DOMContentLoaded', proceduresChart);
  document.addEventListener('keydown', keys);
  document.addEventListener('DOMContentLoaded', waterfalls);
  document.addEventListener('DOMContentLoaded', draw);
  document.addEventListener('htmx:afterSettle', draw);
  document.addEventListener('htmx:sseClose', function () {
    var note = document.getElementById('live-note');
    if (note) note.remove();
  });
})();
`;
