// Draws the lane performance charts of /dashboard/lanes with the vendored Chart.js (wwwroot/lib/chart.js).
// The figures come from the page's <script type="application/json" id="lanes-data">; every chart has a table with
// the same numbers under it, so nothing here is the only way to read them.
(() => {
  'use strict';
  // The bar chart's box grows with its bars; set here, since the page's Content-Security-Policy allows no style attribute.
  document.querySelectorAll('.chart-box[data-bars]').forEach((box) => box.style.setProperty('--bars', box.dataset.bars));
  const source = document.getElementById('lanes-data');
  if (!source || typeof Chart === 'undefined') {
    return;
  }
  const data = JSON.parse(source.textContent);
  const locale = data.locale;
  const days = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const shortDate = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const fill = (template, ...values) => values.reduce((text, value, i) => text.replace(`{${i}}`, value), template);

  // Dark enough for 4.5:1 against white; the 90th percentile is also dashed, with another point shape.
  const palette = ['#0b5cad', '#a3161c', '#1a6b3a', '#8a4b00', '#6a3d9a', '#00707a', '#4a5360', '#b3005e'];
  const colours = new Map();
  const colourOf = (lane) => {
    if (!colours.has(lane)) {
      colours.set(lane, palette[colours.size % palette.length]);
    }
    return colours.get(lane);
  };
  data.lanes.forEach((l) => colourOf(l.lane));

  const labels = data.weeks.map((w) => shortDate.format(new Date(`${w.monday}T00:00:00Z`)));
  const weekTitle = (items) => (items.length > 0 ? data.weeks[items[0].dataIndex].name : '');
  const style = getComputedStyle(document.body);
  Chart.defaults.font.family = style.fontFamily;
  Chart.defaults.color = '#1b1f24';
  Chart.defaults.borderColor = '#c9d0d8';

  const base = (extra) => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    locale,
    interaction: { mode: 'index', intersect: false },
    ...extra,
    plugins: {
      legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
      ...(extra.plugins || {}),
    },
  });

  const transit = document.getElementById('transit-chart');
  if (transit) {
    const datasets = data.lanes.flatMap((l) => [
      {
        label: fill(data.text.median, l.name),
        laneName: l.name,
        data: l.p50,
        delivered: l.delivered,
        borderColor: colourOf(l.lane),
        backgroundColor: colourOf(l.lane),
        pointStyle: 'circle',
        pointRadius: 4,
        borderWidth: 2,
      },
      {
        label: fill(data.text.p90, l.name),
        data: l.p90,
        borderColor: colourOf(l.lane),
        backgroundColor: '#ffffff',
        borderDash: [6, 4],
        pointStyle: 'triangle',
        pointRadius: 5,
        borderWidth: 2,
      },
    ]);
    new Chart(transit, {
      type: 'line',
      data: { labels, datasets },
      options: base({
        scales: {
          y: {
            beginAtZero: true,
            title: { display: true, text: data.text.days },
            ticks: { callback: (value) => days.format(value) },
          },
        },
        plugins: {
          // One legend entry per lane (its median's), which shows or hides both of its lines; the hint above the chart
          // says which line is which.
          legend: {
            position: 'bottom',
            labels: {
              usePointStyle: true,
              boxWidth: 8,
              boxHeight: 8,
              filter: (item) => item.datasetIndex % 2 === 0,
              generateLabels: (chart) => Chart.defaults.plugins.legend.labels.generateLabels(chart)
                .map((item) => ({ ...item, text: chart.data.datasets[item.datasetIndex].laneName || item.text })),
            },
            onClick: (event, item, legend) => {
              const chart = legend.chart;
              const visible = chart.isDatasetVisible(item.datasetIndex);
              chart.setDatasetVisibility(item.datasetIndex, !visible);
              chart.setDatasetVisibility(item.datasetIndex + 1, !visible);
              chart.update();
            },
          },
          tooltip: {
            callbacks: {
              title: weekTitle,
              label: (item) => {
                const line = `${item.dataset.label}: ${days.format(item.parsed.y)}`;
                const delivered = item.dataset.delivered;
                return delivered ? `${line} (${fill(data.text.delivered, count.format(delivered[item.dataIndex]))})` : line;
              },
            },
          },
        },
      }),
    });
  }

  const onTime = document.getElementById('ontime-chart');
  if (onTime) {
    const datasets = data.lanes.map((l) => ({
      label: l.name,
      data: l.onTime.map((rate) => (rate === null ? null : rate * 100)),
      promised: l.promised,
      borderColor: colourOf(l.lane),
      backgroundColor: colourOf(l.lane),
      pointRadius: 4,
      borderWidth: 2,
    }));
    new Chart(onTime, {
      type: 'line',
      data: { labels, datasets },
      options: base({
        scales: {
          y: {
            min: 0,
            max: 100,
            title: { display: true, text: data.text.share },
            ticks: { callback: (value) => percent.format(value / 100) },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: weekTitle,
              label: (item) => `${item.dataset.label}: ${percent.format(item.parsed.y / 100)} (${fill(data.text.delivered, count.format(item.dataset.promised[item.dataIndex]))})`,
            },
          },
        },
      }),
    });
  }

  const exceptions = document.getElementById('exceptions-chart');
  if (exceptions) {
    new Chart(exceptions, {
      type: 'bar',
      data: {
        labels: data.exceptions.map((e) => e.name),
        datasets: [{
          label: data.text.exceptionRate,
          data: data.exceptions.map((e) => e.rate * 100),
          backgroundColor: data.exceptions.map((e) => colourOf(e.lane)),
          maxBarThickness: 28,
        }],
      },
      options: base({
        indexAxis: 'y',
        interaction: { mode: 'nearest', axis: 'y', intersect: false },
        scales: {
          // Every bar keeps its label (Chart.js would skip some when crowded, leaving bars beside another's name).
          y: { ticks: { autoSkip: false } },
          x: {
            min: 0,
            suggestedMax: 10,
            title: { display: true, text: data.text.exceptionRate },
            ticks: { callback: (value) => percent.format(value / 100) },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                const e = data.exceptions[item.dataIndex];
                return `${percent.format(e.rate)} (${fill(data.text.shipments, count.format(e.withException), count.format(e.shipments))})`;
              },
            },
          },
        },
      }),
    });
  }
})();
