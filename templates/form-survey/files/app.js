/* Survey prototype: the form is in the page already (rendered from the question list); this file
   checks answers accessibly, stores responses in this browser (localStorage), and exports them as
   CSV and imports them back, so the answers collected on one laptop reach the product manager. */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }

  var helpers = window.sandboxHelpers;  // helpers.js, shared by the templates
  var csv = window.sandboxCsv;          // csv.js
  var h = helpers.h;
  var trim = helpers.trim;
  var store = window.sandboxStorage(cfg.slug);  // storage.js
  var fields = cfg.fields || [];

  function announce(text) {
    var live = document.getElementById('live');
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  // ---------- validation ----------
  var EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[^\s@.]{2,}$/;
  function isGroup(field) { return field.type === 'rating' || (field.type === 'choice' && field.options.length <= 6); }

  function valueOf(field) {
    if (isGroup(field)) {
      var checked = document.querySelector('input[name="' + field.id + '"]:checked');
      return checked ? checked.value : '';
    }
    var el = document.getElementById(field.id);
    return el ? trim(el.value) : '';
  }

  function validateField(field) {
    var value = valueOf(field);
    var lower = field.label.charAt(0).toLowerCase() + field.label.slice(1);
    if (!value) {
      if (!field.required) return '';
      if (field.type === 'choice' || field.type === 'rating') return 'Select an answer for \u201c' + field.label + '\u201d.';
      return 'Enter ' + (/^(your|the|a|an)\b/i.test(field.label) ? lower : 'an answer for \u201c' + field.label + '\u201d') + '.';
    }
    if (field.type === 'email' && !EMAIL_RE.test(value)) return 'Enter an email address like name@company.com.';
    if (field.type === 'number' && helpers.parseNumber(value) === null) return 'Enter a number, like ' + helpers.formatNumber(12) + ' or ' + helpers.formatNumber(3.5) + '.';
    if (field.type === 'date' && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || isNaN(Date.parse(value)))) return 'Enter a real date.';
    return '';
  }

  function controlsOf(field) {
    if (isGroup(field)) return Array.prototype.slice.call(document.querySelectorAll('input[name="' + field.id + '"]'));
    var el = document.getElementById(field.id);
    return el ? [el] : [];
  }

  function showError(field, message) {
    document.getElementById(field.id + '-error').textContent = message;
    document.getElementById(field.id + '-field').classList.toggle('has-error', !!message);
    controlsOf(field).forEach(function (el) {
      if (message) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    });
  }

  // ---------- form ----------
  var form = document.getElementById('survey-form');
  var thanks = document.getElementById('thanks');
  var summary = document.getElementById('error-summary');
  var submitted = false;

  function onEdit(event) {
    if (!submitted) return;
    var id = (event.target.name || event.target.id || '').replace(/-\d+$/, '');
    var field = fields.filter(function (f) { return f.id === id; })[0];
    if (field) showError(field, validateField(field));
  }

  form.addEventListener('change', onEdit);
  form.addEventListener('input', onEdit);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    submitted = true;
    var problems = [];
    fields.forEach(function (field) {
      var message = validateField(field);
      showError(field, message);
      if (message) problems.push({ field: field, message: message });
    });
    if (problems.length) {
      summary.textContent = '';
      summary.appendChild(h('h2', { text: problems.length === 1 ? 'There is 1 problem' : 'There are ' + problems.length + ' problems' }));
      summary.appendChild(h('ul', null, problems.map(function (p) {
        var target = controlsOf(p.field)[0];
        return h('li', null, [h('a', {
          href: '#' + (target ? target.id : p.field.id),
          text: p.message,
          onclick: function (e) {
            e.preventDefault();
            if (target) { target.focus(); target.scrollIntoView({ block: 'center' }); }
          }
        })]);
      })));
      summary.hidden = false;
      summary.focus();
      return;
    }
    summary.hidden = true;
    var answers = {};
    fields.forEach(function (field) { answers[field.label] = valueOf(field); });
    var list = responses();
    list.push({ id: newId(), submittedAt: new Date().toISOString(), answers: answers });
    store.set('responses', list);
    updateCounts();
    form.hidden = true;
    thanks.hidden = false;
    thanks.focus();
    announce(cfg.thankYou || 'Thank you!');
  });

  document.getElementById('again').addEventListener('click', function () {
    form.reset();
    submitted = false;
    fields.forEach(function (f) { showError(f, ''); });
    thanks.hidden = true;
    form.hidden = false;
    var first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  });

  function newId() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 6); }

  // ---------- responses ----------
  function responses() { return store.list('responses'); }

  function columns() {
    var labels = fields.map(function (f) { return f.label; });
    // Keep answers to questions that were removed or renamed since, so no data is hidden.
    responses().forEach(function (r) {
      Object.keys(r.answers || {}).forEach(function (k) { if (labels.indexOf(k) < 0) labels.push(k); });
    });
    return labels;
  }

  function formatDate(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso || '');
    try {
      return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    } catch (e) { return d.toISOString(); }
  }

  function updateCounts() {
    var n = responses().length;
    var pills = document.querySelectorAll('[data-response-count]');
    for (var i = 0; i < pills.length; i++) pills[i].textContent = String(n);
    document.querySelector('[data-response-summary]').textContent =
      n === 0 ? 'No responses yet.' : n === 1 ? '1 response saved in this browser.' : n + ' responses saved in this browser.';
    document.getElementById('download-csv').disabled = n === 0;
    document.getElementById('clear-responses').disabled = n === 0;
  }

  function renderResponses() {
    var root = document.getElementById('responses-root');
    root.textContent = '';
    var list = responses();
    updateCounts();
    if (!list.length) {
      root.appendChild(h('div', { className: 'empty card' }, [
        h('p', { text: 'Nobody has answered yet. Fill in the survey, or import a CSV file of responses.' }),
        h('a', { className: 'btn btn-primary', href: '#survey', text: 'Go to the survey' })
      ]));
      return;
    }
    var cols = columns();
    var head = h('tr', null, [h('th', { scope: 'col', text: '#' }), h('th', { scope: 'col', text: 'Sent' })]
      .concat(cols.map(function (c) { return h('th', { scope: 'col', text: c }); }))
      .concat([h('th', { scope: 'col' }, [h('span', { className: 'visually-hidden', text: 'Actions' })])]));
    var rows = list.map(function (r, index) {
      return h('tr', null, [h('td', { className: 'num', text: String(index + 1) }), h('td', { className: 'nowrap', text: formatDate(r.submittedAt) })]
        .concat(cols.map(function (c) {
          var v = r.answers && r.answers[c] !== undefined ? String(r.answers[c]) : '';
          return h('td', { className: v ? '' : 'empty-cell' }, [v || '\u2014']);
        }))
        .concat([h('td', null, [h('button', {
          className: 'btn btn-ghost btn-sm', type: 'button',
          'aria-label': 'Delete response ' + (index + 1),
          text: 'Delete',
          onclick: function () {
            helpers.confirm('Delete response ' + (index + 1) + '?', 'This response will be removed from this browser.', 'Delete', function () {
              store.set('responses', responses().filter(function (x) { return x.id !== r.id; }));
              renderResponses();
              announce('Response deleted.');
              document.getElementById('responses-title').focus();
            });
          }
        })])]));
    });
    var table = h('table', { className: 'data-table' }, [
      h('caption', { className: 'visually-hidden', text: 'Saved responses, oldest first' }),
      h('thead', null, [head]),
      h('tbody', null, rows)
    ]);
    root.appendChild(h('div', { className: 'table-scroll', role: 'region', 'aria-label': 'Responses table', tabindex: '0' }, [table]));
  }

  // ---------- CSV out and back in ----------
  function toCsv() {
    var cols = columns();
    var rows = [['Sent at'].concat(cols)];
    responses().forEach(function (r) {
      rows.push([r.submittedAt].concat(cols.map(function (c) { return r.answers ? r.answers[c] : ''; })));
    });
    return csv.format(rows);
  }

  function importText(text, name) {
    var status = document.getElementById('import-status');
    var table = csv.parse(text);
    status.hidden = false;
    if (!table || table.header[0].toLowerCase() !== 'sent at') {
      status.className = 'notice notice-error';
      status.textContent = name + ' is not a responses file: its first column must be \u201cSent at\u201d (as Download CSV writes it).';
      return;
    }
    var list = responses();
    var seen = {};
    list.forEach(function (r) { seen[r.submittedAt + '|' + JSON.stringify(r.answers)] = true; });
    var added = 0;
    csv.objects(table).forEach(function (row) {
      var answers = {};
      table.header.slice(1).forEach(function (col) { answers[col] = csv.unguard(row[col]); });
      var at = trim(row[table.header[0]]) || new Date().toISOString();
      if (seen[at + '|' + JSON.stringify(answers)]) return;
      seen[at + '|' + JSON.stringify(answers)] = true;
      list.push({ id: newId(), submittedAt: at, answers: answers });
      added++;
    });
    store.set('responses', list);
    status.className = 'notice notice-success';
    status.textContent = 'Imported ' + added + (added === 1 ? ' response' : ' responses') + ' from ' + name + '. Responses already here were skipped.';
    renderResponses();
  }

  document.getElementById('download-csv').addEventListener('click', function () {
    csv.download((cfg.slug || 'survey') + '-responses-' + new Date().toISOString().slice(0, 10) + '.csv', toCsv());
    announce('CSV file downloaded.');
  });
  document.getElementById('import-csv').addEventListener('click', function () { csv.choose(importText); });
  document.getElementById('clear-responses').addEventListener('click', function () {
    helpers.confirm('Delete all responses?', 'Every response saved in this browser will be removed. Download them first to keep them.', 'Delete all', function () {
      store.set('responses', []);
      renderResponses();
      announce('All responses deleted.');
    });
  });

  // ---------- views (#survey, #responses) ----------
  var firstRender = true;
  function route() {
    var view = window.location.hash === '#responses' ? 'responses' : 'survey';
    document.documentElement.setAttribute('data-view', view);
    var links = document.querySelectorAll('[data-view-link]');
    for (var j = 0; j < links.length; j++) {
      if (links[j].getAttribute('data-view-link') === view) links[j].setAttribute('aria-current', 'page');
      else links[j].removeAttribute('aria-current');
    }
    if (view === 'responses') renderResponses();
    if (!firstRender) {
      window.scrollTo(0, 0);
      document.getElementById(view + '-title').focus({ preventScroll: true });
    }
    firstRender = false;
  }

  updateCounts();
  window.addEventListener('hashchange', route);
  route();
})();
