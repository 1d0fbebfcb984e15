/* Dashboard prototype: reads data.csv, then draws KPI cards and SVG charts (no chart library).
   Data sources, in order: data.csv next to this page (works from the preview server),
   the copy embedded in index.html (browsers block reading files from disk), or a CSV
   file the user picks with "Load CSV" or drops on the page. The cards and chart frames are in
   the page already (one per metric, the same size), so drawing them moves nothing. */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }

  // The SVG namespace, taken from the browser itself (keeps this file free of web addresses).
  var SVG_NS = (function () {
    var holder = document.createElement('div');
    holder.innerHTML = '<svg></svg>';
    return holder.firstChild.namespaceURI;
  })();

  var state = { table: null, source: '', range: 0 };
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // ---------- helpers ----------
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return el;
  }
  function s(tag, attrs, children) {
    var el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    (children || []).forEach(function (c) { if (c) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') el.textContent = v;
      else if (k === 'className') el.setAttribute('class', v);
      else el.setAttribute(k, v === true ? '' : String(v));
    });
  }
  function trim(x) { return String(x === undefined || x === null ? '' : x).trim(); }
  function norm(x) { return trim(x).toLowerCase().replace(/[\s_\-]+/g, ''); }

  var csv = window.sandboxCsv;  // csv.js, shared by the templates

  // ---------- metrics: parsed from the template's list in Python (sandbox-config) ----------
  function columnMetric(name) {
    return { column: name, label: name, unit: '', chart: '', lowerIsBetter: false };
  }

  function formatValue(v, unit, compact) {
    if (v === null || v === undefined || !isFinite(v)) return '\u2014';
    var u = trim(unit);
    var abs = Math.abs(v);
    var digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
    var opts = { maximumFractionDigits: digits };
    if (compact && abs >= 10000) { opts = { notation: 'compact', maximumFractionDigits: 1 }; }
    else if (!compact && u === '%' && abs < 100) opts = { minimumFractionDigits: 1, maximumFractionDigits: 1 };
    if (/^[A-Za-z]{3}$/.test(u) && u.toUpperCase() === u) {
      try {
        return new Intl.NumberFormat(undefined, Object.assign({ style: 'currency', currency: u }, opts,
          compact && abs >= 10000 ? {} : { maximumFractionDigits: abs >= 100 ? 0 : 2 })).format(v);
      } catch (e) { /* not a currency code: fall through */ }
    }
    var num;
    try { num = new Intl.NumberFormat(undefined, opts).format(v); } catch (e) { num = String(Math.round(v * 100) / 100); }
    if (!u) return num;
    if (u === '%') return num + '%';
    if (/^[$\u20ac\u00a3\u00a5]$/.test(u)) return u + num;
    return num + ' ' + u;
  }

  function formatPct(v) {
    try { return new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(v); } catch (e) { return String(Math.round(v * 10) / 10); }
  }

  function formatLabel(raw) {
    var t = trim(raw);
    var m = /^(\d{4})-(\d{1,2})$/.exec(t);
    if (m && +m[2] >= 1 && +m[2] <= 12) return MONTHS[+m[2] - 1] + ' ' + m[1].slice(2);
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
    if (m && +m[2] >= 1 && +m[2] <= 12) return +m[3] + ' ' + MONTHS[+m[2] - 1];
    return t;
  }

  function niceTicks(min, max, count) {
    if (min === max) { min = min === 0 ? 0 : min * 0.9; max = max === 0 ? 1 : max * 1.1; }
    if (min > max) { var tmp = min; min = max; max = tmp; }
    var span = max - min;
    var step = Math.pow(10, Math.floor(Math.log(span / count) / Math.LN10));
    var err = (count * step) / span;
    if (err <= 0.15) step *= 10; else if (err <= 0.35) step *= 5; else if (err <= 0.75) step *= 2;
    var lo = Math.floor(min / step) * step, hi = Math.ceil(max / step) * step;
    var ticks = [];
    for (var v = lo; v <= hi + step / 2; v += step) ticks.push(Math.round(v / step) * step);
    return ticks;
  }

  // ---------- model ----------
  function buildModel(table) {
    var header = table.header;
    var xIndex = 0;
    header.forEach(function (name, i) {
      if (/^(month|date|period|week|day|year|quarter|time)$/i.test(trim(name)) && xIndex === 0) xIndex = i;
    });
    var rows = table.rows;
    var labels = rows.map(function (r) { return trim(r[xIndex]); });
    var metricSpecs = (cfg.metrics || []).map(function (m) { return Object.assign({}, m); });
    if (!metricSpecs.length) {
      metricSpecs = header.filter(function (name, i) { return i !== xIndex; }).map(columnMetric);
    }
    var missing = [];
    var metrics = [];
    metricSpecs.forEach(function (spec, k) {
      var col = -1;
      header.forEach(function (name, i) { if (col < 0 && norm(name) === norm(spec.column)) col = i; });
      if (col < 0) header.forEach(function (name, i) { if (col < 0 && norm(name) === norm(spec.label)) col = i; });
      if (col < 0) { missing.push(spec.column); return; }
      var values = rows.map(function (r) { return csv.number(r[col], table.decimalComma); });
      if (!spec.chart) spec.chart = metrics.length % 2 === 0 ? 'line' : 'bar';
      spec.values = values;
      spec.columnName = header[col];
      metrics.push(spec);
    });
    if (!metrics.length && metricSpecs.length && header.length > 1) {
      // None of the configured columns exist: show every other column so the page is still useful.
      header.forEach(function (name, i) {
        if (i === xIndex) return;
        var spec = columnMetric(name);
        spec.values = rows.map(function (r) { return csv.number(r[i], table.decimalComma); });
        if (!spec.values.some(function (v) { return v !== null; })) return;
        spec.chart = metrics.length % 2 === 0 ? 'line' : 'bar';
        spec.columnName = name;
        metrics.push(spec);
      });
    }
    return { labels: labels, xName: header[xIndex], metrics: metrics, missing: missing, rowCount: rows.length };
  }

  function sliceModel(model, range) {
    if (!range || range >= model.labels.length) return model;
    var start = model.labels.length - range;
    return {
      labels: model.labels.slice(start), xName: model.xName, missing: model.missing, rowCount: model.rowCount,
      metrics: model.metrics.map(function (m) { return Object.assign({}, m, { values: m.values.slice(start), allValues: m.values }); })
    };
  }

  // ---------- KPI cards ----------
  function lastTwo(values) {
    var found = [];
    for (var i = values.length - 1; i >= 0 && found.length < 2; i--) if (values[i] !== null) found.push(i);
    return found;
  }

  function sparkline(values) {
    var pts = values.map(function (v, i) { return { v: v, i: i }; }).filter(function (p) { return p.v !== null; });
    var svg = s('svg', { className: 'spark', viewBox: '0 0 100 30', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' });
    if (pts.length < 2) return svg;
    var min = Math.min.apply(null, pts.map(function (p) { return p.v; }));
    var max = Math.max.apply(null, pts.map(function (p) { return p.v; }));
    var n = values.length - 1 || 1;
    var d = pts.map(function (p, k) {
      var x = (p.i / n) * 100;
      var y = max === min ? 15 : 27 - ((p.v - min) / (max - min)) * 24;
      return (k ? 'L' : 'M') + x.toFixed(2) + ' ' + y.toFixed(2);
    }).join(' ');
    svg.appendChild(s('path', { d: d + ' L100 30 L0 30 Z', className: 'spark-area' }));
    svg.appendChild(s('path', { d: d, className: 'spark-line' }));
    return svg;
  }

  function renderKpis(model) {
    var root = document.getElementById('kpis');
    root.textContent = '';
    model.metrics.forEach(function (m) {
      var idx = lastTwo(m.values);
      var latest = idx.length ? m.values[idx[0]] : null;
      var prev = idx.length > 1 ? m.values[idx[1]] : null;
      var deltaEl = null;
      if (latest !== null && prev !== null) {
        var isPct = trim(m.unit) === '%';
        var diff = latest - prev;
        var text;
        if (isPct) text = (diff > 0 ? '+' : diff < 0 ? '\u2212' : '') + formatValue(Math.abs(diff), '') + ' pts';
        else if (prev !== 0) text = (diff > 0 ? '+' : diff < 0 ? '\u2212' : '') + formatPct(Math.abs(diff / prev * 100)) + '%';
        else text = (diff > 0 ? '+' : diff < 0 ? '\u2212' : '') + formatValue(Math.abs(diff), m.unit);
        var good = diff === 0 ? null : (diff > 0) !== m.lowerIsBetter;
        var word = diff === 0 ? 'no change' : (diff > 0 ? 'up' : 'down');
        deltaEl = h('p', { className: 'kpi-delta ' + (good === null ? 'flat' : good ? 'good' : 'bad') }, [
          h('span', { 'aria-hidden': 'true', text: diff > 0 ? '\u25B2 ' : diff < 0 ? '\u25BC ' : '\u25CF ' }),
          h('span', { className: 'visually-hidden', text: word + ' ' }),
          text,
          h('span', { className: 'kpi-vs', text: ' vs ' + formatLabel(model.labels[idx[1]]) })
        ]);
      }
      root.appendChild(h('article', { className: 'card kpi' }, [
        h('h3', { className: 'kpi-label', text: m.label }),
        h('p', { className: 'kpi-value', text: formatValue(latest, m.unit) }),
        deltaEl || h('p', { className: 'kpi-delta flat', text: 'Not enough data to compare' }),
        h('p', { className: 'kpi-period', text: idx.length ? 'Latest: ' + formatLabel(model.labels[idx[0]]) : 'No numbers in this column' }),
        sparkline(m.values)
      ]));
    });
  }

  // ---------- charts ----------
  var charts = [];

  function drawChart(entry) {
    var m = entry.metric, labels = entry.labels, box = entry.box;
    var width = Math.max(260, Math.floor(box.clientWidth || 600));
    var height = entry.big ? 300 : 240;
    var pad = { top: 16, right: 16, bottom: 30, left: 0 };
    var vals = m.values.filter(function (v) { return v !== null; });
    box.querySelector('svg') && box.removeChild(box.querySelector('svg'));
    var svg = s('svg', {
      width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': entry.summary, focusable: 'false'
    });
    if (!vals.length) {
      svg.appendChild(s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', className: 'axis-label', text: 'No numbers to draw' }));
      box.insertBefore(svg, box.firstChild);
      return;
    }
    var min = Math.min.apply(null, vals), max = Math.max.apply(null, vals);
    if (m.chart === 'bar' || min > 0 && (max - min) / max > 0.6) min = Math.min(0, min);
    var ticks = niceTicks(min, max, 4);
    var yMin = ticks[0], yMax = ticks[ticks.length - 1];
    var tickLabels = ticks.map(function (t) { return formatValue(t, m.unit, true); });
    pad.left = Math.min(90, 12 + 7 * Math.max.apply(null, tickLabels.map(function (t) { return t.length; })));
    var plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
    var n = labels.length;
    var band = plotW / Math.max(1, n);
    function x(i) { return m.chart === 'bar' ? pad.left + band * i + band / 2 : pad.left + (n === 1 ? plotW / 2 : (plotW * i) / (n - 1)); }
    function y(v) { return pad.top + plotH - ((v - yMin) / (yMax - yMin || 1)) * plotH; }

    var grid = s('g', { className: 'grid' });
    ticks.forEach(function (t, k) {
      grid.appendChild(s('line', { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t) }));
      grid.appendChild(s('text', { x: pad.left - 8, y: y(t) + 4, 'text-anchor': 'end', className: 'axis-label', text: tickLabels[k] }));
    });
    svg.appendChild(grid);

    var every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(plotW / 64))));
    var xAxis = s('g', { className: 'x-axis' });
    labels.forEach(function (l, i) {
      if ((n - 1 - i) % every !== 0) return;
      xAxis.appendChild(s('text', { x: x(i), y: height - 8, 'text-anchor': 'middle', className: 'axis-label', text: formatLabel(l) }));
    });
    svg.appendChild(xAxis);

    var series = s('g', { className: 'series' });
    if (m.chart === 'bar') {
      var bw = Math.max(4, Math.min(48, band * 0.62));
      var base = y(Math.max(yMin, Math.min(0, yMax)));
      m.values.forEach(function (v, i) {
        if (v === null) return;
        var top = Math.min(y(v), base), hgt = Math.max(1, Math.abs(base - y(v)));
        series.appendChild(s('rect', { x: x(i) - bw / 2, y: top, width: bw, height: hgt, rx: Math.min(6, bw / 4), className: 'bar', 'data-i': i }));
      });
    } else {
      var segs = [], cur = [];
      m.values.forEach(function (v, i) {
        if (v === null) { if (cur.length) segs.push(cur); cur = []; } else cur.push([x(i), y(v)]);
      });
      if (cur.length) segs.push(cur);
      segs.forEach(function (seg) {
        var d = seg.map(function (p, k) { return (k ? 'L' : 'M') + p[0].toFixed(1) + ' ' + p[1].toFixed(1); }).join(' ');
        series.appendChild(s('path', { d: d + ' L' + seg[seg.length - 1][0].toFixed(1) + ' ' + y(yMin) + ' L' + seg[0][0].toFixed(1) + ' ' + y(yMin) + ' Z', className: 'area' }));
        series.appendChild(s('path', { d: d, className: 'line' }));
      });
      m.values.forEach(function (v, i) {
        if (v !== null && n <= 40) series.appendChild(s('circle', { cx: x(i), cy: y(v), r: 3.5, className: 'dot' }));
      });
    }
    svg.appendChild(series);
    var guide = s('line', { className: 'guide', x1: 0, x2: 0, y1: pad.top, y2: pad.top + plotH, visibility: 'hidden' });
    var marker = s('circle', { className: 'marker', r: 6, visibility: 'hidden' });
    svg.appendChild(guide);
    svg.appendChild(marker);
    box.insertBefore(svg, box.firstChild);

    entry.geometry = { x: x, y: y, n: n, left: pad.left, width: width, plotW: plotW, band: band };
    entry.guide = guide;
    entry.marker = marker;
  }

  function showPoint(entry, i) {
    var g = entry.geometry, m = entry.metric;
    if (!g || i === null || i < 0 || i >= g.n) { hidePoint(entry); return; }
    entry.active = i;
    var v = m.values[i];
    var px = g.x(i);
    entry.guide.setAttribute('x1', px); entry.guide.setAttribute('x2', px);
    entry.guide.setAttribute('visibility', 'visible');
    if (v !== null && m.chart !== 'bar') {
      entry.marker.setAttribute('cx', px); entry.marker.setAttribute('cy', g.y(v));
      entry.marker.setAttribute('visibility', 'visible');
    } else entry.marker.setAttribute('visibility', 'hidden');
    var bars = entry.box.querySelectorAll('.bar');
    for (var b = 0; b < bars.length; b++) bars[b].classList.toggle('is-active', bars[b].getAttribute('data-i') === String(i));
    var tip = entry.tip;
    tip.textContent = '';
    tip.appendChild(h('span', { className: 'tip-label', text: formatLabel(entry.labels[i]) }));
    tip.appendChild(h('strong', { text: formatValue(v, m.unit) }));
    tip.hidden = false;
    var left = Math.min(Math.max(px, tip.offsetWidth / 2 + 4), g.width - tip.offsetWidth / 2 - 4);
    tip.style.left = left + 'px';
    tip.style.top = (v !== null ? Math.max(0, g.y(v) - 12) : 20) + 'px';
  }

  function hidePoint(entry) {
    entry.active = null;
    if (entry.guide) entry.guide.setAttribute('visibility', 'hidden');
    if (entry.marker) entry.marker.setAttribute('visibility', 'hidden');
    var bars = entry.box.querySelectorAll('.bar.is-active');
    for (var b = 0; b < bars.length; b++) bars[b].classList.remove('is-active');
    entry.tip.hidden = true;
  }

  function indexAt(entry, clientX) {
    var g = entry.geometry;
    if (!g) return null;
    var rect = entry.box.getBoundingClientRect();
    var px = clientX - rect.left;
    var best = 0, bestDist = Infinity;
    for (var i = 0; i < g.n; i++) {
      var d = Math.abs(g.x(i) - px);
      if (d < bestDist) { bestDist = d; best = i; }
    }
    return best;
  }

  function describe(m, labels) {
    var vals = m.values.filter(function (v) { return v !== null; });
    if (!vals.length) return m.label + ': no numbers.';
    var first = null, last = null;
    m.values.forEach(function (v, i) { if (v !== null) { if (first === null) first = i; last = i; } });
    return (m.chart === 'bar' ? 'Bar' : 'Line') + ' chart of ' + m.label + ' from ' + formatLabel(labels[first]) + ' (' + formatValue(m.values[first], m.unit) +
      ') to ' + formatLabel(labels[last]) + ' (' + formatValue(m.values[last], m.unit) + '). Lowest ' +
      formatValue(Math.min.apply(null, vals), m.unit) + ', highest ' + formatValue(Math.max.apply(null, vals), m.unit) + '.';
  }

  function renderCharts(model) {
    var root = document.getElementById('charts');
    root.textContent = '';
    charts = [];
    model.metrics.forEach(function (m, k) {
      var summaryId = 'chart-' + k + '-summary';
      var box = h('div', { className: 'chart-box', tabindex: '0', role: 'group', 'aria-label': m.label + ' chart', 'aria-describedby': summaryId + ' chart-help' });
      var tip = h('div', { className: 'chart-tip', hidden: true, 'aria-hidden': 'true' });
      var live = h('p', { className: 'visually-hidden', 'aria-live': 'polite' });
      box.appendChild(tip);
      var entry = { metric: m, labels: model.labels, box: box, tip: tip, big: k === 0 && model.metrics.length !== 2, summary: describe(m, model.labels), active: null };
      var card = h('figure', { className: 'card chart-card' + (entry.big ? ' chart-big' : '') }, [
        h('figcaption', null, [
          h('h3', { text: m.label }),
          h('span', { className: 'chart-unit', text: m.unit ? m.unit : '' })
        ]),
        box,
        h('p', { className: 'visually-hidden', id: summaryId, text: entry.summary }),
        live
      ]);
      root.appendChild(card);
      charts.push(entry);

      box.addEventListener('pointermove', function (e) { showPoint(entry, indexAt(entry, e.clientX)); });
      box.addEventListener('pointerleave', function () { if (document.activeElement !== box) hidePoint(entry); });
      box.addEventListener('blur', function () { hidePoint(entry); });
      box.addEventListener('focus', function () { showPoint(entry, entry.labels.length - 1); });
      box.addEventListener('keydown', function (e) {
        var i = entry.active === null ? entry.labels.length - 1 : entry.active;
        if (e.key === 'ArrowLeft') i = Math.max(0, i - 1);
        else if (e.key === 'ArrowRight') i = Math.min(entry.labels.length - 1, i + 1);
        else if (e.key === 'Home') i = 0;
        else if (e.key === 'End') i = entry.labels.length - 1;
        else return;
        e.preventDefault();
        showPoint(entry, i);
        live.textContent = formatLabel(entry.labels[i]) + ': ' + formatValue(m.values[i], m.unit);
      });
    });
    charts.forEach(drawChart);
  }

  // ---------- table ----------
  function renderTable(model) {
    var root = document.getElementById('table');
    root.textContent = '';
    var xTitle = String(model.xName || '');
    xTitle = xTitle.charAt(0).toUpperCase() + xTitle.slice(1);
    var head = h('tr', null, [h('th', { scope: 'col', text: xTitle })].concat(model.metrics.map(function (m) {
      return h('th', { scope: 'col', className: 'num', text: m.label + (m.unit ? ' (' + m.unit + ')' : '') });
    })));
    var body = model.labels.map(function (l, i) {
      return h('tr', null, [h('th', { scope: 'row', text: formatLabel(l) })].concat(model.metrics.map(function (m) {
        return h('td', { className: 'num', text: formatValue(m.values[i], m.unit) });
      })));
    });
    root.appendChild(h('table', { className: 'data-table' }, [h('thead', null, [head]), h('tbody', null, body)]));
  }

  // ---------- notices + render ----------
  function setNotice(kind, parts) {
    var root = document.getElementById('notice');
    root.textContent = '';
    if (!parts) return;
    root.appendChild(h('div', { className: 'notice notice-' + kind }, [h('p', null, parts)]));
  }

  function render() {
    if (!state.table) return;
    var model = buildModel(state.table);
    var view = sliceModel(model, state.range);
    renderKpis(view);
    renderCharts(view);
    renderTable(view);
    var src = document.getElementById('data-source');
    src.textContent = 'Data: ' + state.source + ' \u00b7 ' + model.rowCount + (model.rowCount === 1 ? ' row' : ' rows');
    if (model.missing.length) {
      setNotice('warning', ['Could not find ' + (model.missing.length === 1 ? 'the column ' : 'the columns ') +
        model.missing.map(function (c) { return '\u201c' + c + '\u201d'; }).join(', ') + ' in the data. Columns available: ' +
        state.table.header.join(', ') + '.']);
    } else if (state.fallbackReason) {
      setNotice('warning', [state.fallbackReason]);
    } else setNotice(null, null);
  }

  function useText(text, source, fallbackReason) {
    var table = csv.parse(text);
    if (table) table.decimalComma = table.delimiter === ';';
    if (!table || !table.rows.length) {
      setNotice('error', ['The file ' + source + ' has no data rows. Keep the first row for column names and put one period per row below it.']);
      return false;
    }
    state.table = table;
    state.source = source;
    state.fallbackReason = fallbackReason || '';
    render();
    return true;
  }

  function useFallback(reason) {
    var text = document.getElementById('data-fallback').textContent;
    useText(text, 'built-in copy of data.csv', reason);
  }

  function load() {
    // Browsers refuse to read files next to a page opened from disk (and log an error if asked),
    // so from disk go straight to the built-in copy; the page says so in its own notice (#file-notice).
    if (window.location.protocol === 'file:' || !window.fetch) { useFallback(''); return; }
    var reason = 'data.csv could not be loaded, so this shows the copy built into the page. Check that data.csv sits next to index.html.';
    window.fetch('data.csv', { cache: 'no-store' })
      .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.text(); })
      .then(function (text) { if (!useText(text, 'data.csv')) useFallback(reason); })
      .catch(function () { useFallback(reason); });
  }

  // ---------- user-provided CSV (file picker, drag and drop) ----------
  function readFile(file) {
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { useText(String(reader.result), file.name + ' (from your computer)'); };
    reader.onerror = function () { setNotice('error', ['Could not read ' + file.name + '.']); };
    reader.readAsText(file);
  }
  document.getElementById('load-csv').addEventListener('click', function () {
    csv.choose(function (text, name) { useText(text, name + ' (from your computer)'); },
      function (name) { setNotice('error', ['Could not read ' + name + '.']); });
  });
  var overlay = document.getElementById('drop-overlay');
  var dragDepth = 0;
  document.addEventListener('dragenter', function (e) { e.preventDefault(); dragDepth++; overlay.classList.add('is-visible'); });
  document.addEventListener('dragleave', function () { dragDepth = Math.max(0, dragDepth - 1); if (!dragDepth) overlay.classList.remove('is-visible'); });
  document.addEventListener('dragover', function (e) { e.preventDefault(); });
  document.addEventListener('drop', function (e) {
    e.preventDefault();
    dragDepth = 0;
    overlay.classList.remove('is-visible');
    readFile(e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0]);
  });

  document.getElementById('range').addEventListener('change', function (e) {
    state.range = parseInt(e.target.value, 10) || 0;
    render();
  });

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { charts.forEach(drawChart); }, 120);
  });

  load();
})();
