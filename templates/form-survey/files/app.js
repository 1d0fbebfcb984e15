/* Survey prototype: builds the form from the question list, validates answers accessibly,
   stores responses in this browser (localStorage) and exports them as CSV. */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }

  // ---------- small helpers ----------
  var helpers = window.sandboxHelpers;  // helpers.js, shared by the templates
  var h = helpers.h;
  var trim = helpers.trim;
  function announce(text) {
    var live = document.getElementById('live');
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  var store = window.sandboxStorage(cfg.slug);  // storage.js, shared by the templates

  // ---------- question list: "Label | type | required | hint" ----------
  var TYPE_ALIASES = {
    text: 'text', string: 'text', short: 'text', name: 'text',
    email: 'email', mail: 'email', 'e-mail': 'email',
    number: 'number', num: 'number', integer: 'number', int: 'number', amount: 'number',
    date: 'date', day: 'date',
    textarea: 'textarea', long: 'textarea', paragraph: 'textarea', multiline: 'textarea', comment: 'textarea', comments: 'textarea',
    choice: 'choice', choices: 'choice', select: 'choice', radio: 'choice', options: 'choice', dropdown: 'choice', option: 'choice',
    rating: 'rating', stars: 'rating', scale: 'rating', score: 'rating',
    tel: 'tel', phone: 'tel'
  };

  function parseField(raw, index) {
    var parts = String(raw).split('|').map(trim);
    var label = parts[0] || ('Question ' + (index + 1));
    var spec = parts[1] || 'text';
    var match = /^([a-zA-Z-]+)\s*(?:\((.*)\))?\s*$/.exec(spec);
    var type = match ? (TYPE_ALIASES[match[1].toLowerCase()] || 'text') : 'text';
    var inner = match && match[2] ? match[2] : '';
    var options = inner ? inner.split(inner.indexOf('/') >= 0 ? '/' : ',').map(trim).filter(Boolean) : [];
    var required = false;
    var hint = '';
    parts.slice(2).forEach(function (part) {
      var lower = part.toLowerCase();
      if (lower === 'required' || lower === 'req' || lower === 'mandatory' || lower === 'yes' || lower === '*') required = true;
      else if (lower === 'optional' || lower === 'no' || lower === '') { /* default */ }
      else hint = hint ? hint + ' ' + part : part;
    });
    if (type === 'choice' && options.length === 0) options = ['Yes', 'No'];
    var field = { id: 'q' + (index + 1), label: label, type: type, options: options, required: required, hint: hint };
    if (type === 'rating') {
      field.low = options[0] || 'Poor';
      field.high = options[1] || 'Excellent';
    }
    return field;
  }

  var fields = (cfg.fields || []).filter(function (f) { return trim(f); }).map(parseField);
  // Answers are stored by label, so two questions with the same label get told apart.
  helpers.uniqueLabels(fields);

  // ---------- validation ----------
  var EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[^\s@.]{2,}$/;

  function valueOf(field) {
    if (field.type === 'choice' && field.options.length <= 6 || field.type === 'rating') {
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
    if (field.type === 'number' && !isFinite(Number(value.replace(',', '.')))) return 'Enter a number, like 12 or 3.5.';
    if (field.type === 'date' && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || isNaN(Date.parse(value)))) return 'Enter a real date.';
    return '';
  }

  function controlsOf(field) {
    if (field.type === 'rating' || (field.type === 'choice' && field.options.length <= 6)) {
      return Array.prototype.slice.call(document.querySelectorAll('input[name="' + field.id + '"]'));
    }
    var el = document.getElementById(field.id);
    return el ? [el] : [];
  }

  function showError(field, message) {
    var err = document.getElementById(field.id + '-error');
    err.textContent = message;
    var wrapper = document.getElementById(field.id + '-field');
    wrapper.classList.toggle('has-error', !!message);
    controlsOf(field).forEach(function (el) {
      if (message) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    });
  }

  // ---------- form ----------
  var formRoot = document.getElementById('form-root');
  var submitted = false;

  function describedBy(field) {
    return (field.hint ? field.id + '-hint ' : '') + field.id + '-error';
  }

  function labelChildren(field) {
    return [field.label, field.required ? h('span', { className: 'req', 'aria-hidden': 'true', text: ' *' }) : null,
      field.required ? h('span', { className: 'visually-hidden', text: ' (required)' }) : null];
  }

  function buildField(field) {
    var hint = field.hint ? h('p', { className: 'hint', id: field.id + '-hint', text: field.hint }) : null;
    var error = h('p', { className: 'error-text', id: field.id + '-error' });
    var common = { id: field.id, name: field.id, 'aria-describedby': describedBy(field), required: field.required };
    var control;

    if (field.type === 'rating' || (field.type === 'choice' && field.options.length <= 6)) {
      var isRating = field.type === 'rating';
      var values = isRating ? ['1', '2', '3', '4', '5'] : field.options;
      var items = values.map(function (value, i) {
        var id = field.id + '-' + (i + 1);
        var labelText = isRating
          ? [value, h('span', { className: 'visually-hidden', text: i === 0 ? ' (' + field.low + ')' : i === 4 ? ' (' + field.high + ')' : '' })]
          : [value];
        return h('div', { className: isRating ? 'rating-item' : 'choice-item' }, [
          h('input', { type: 'radio', id: id, name: field.id, value: value, required: field.required }),
          h('label', { 'for': id }, labelText)
        ]);
      });
      var group = h('div', { className: isRating ? 'rating' : 'choices' }, items);
      var scale = isRating ? h('div', { className: 'rating-scale', 'aria-hidden': 'true' }, [
        h('span', { text: '1 \u2013 ' + field.low }), h('span', { text: '5 \u2013 ' + field.high })
      ]) : null;
      return h('fieldset', { className: 'field', id: field.id + '-field', 'aria-describedby': describedBy(field) }, [
        h('legend', null, labelChildren(field)), hint, error, group, scale
      ]);
    }

    if (field.type === 'choice') {
      control = h('select', common, [h('option', { value: '', text: 'Choose an answer' })].concat(
        field.options.map(function (o) { return h('option', { value: o, text: o }); })));
    } else if (field.type === 'textarea') {
      control = h('textarea', Object.assign({ rows: '4' }, common));
    } else {
      var attrs = { type: field.type, autocomplete: 'off' };
      if (field.type === 'email') { attrs.autocomplete = 'email'; attrs.inputmode = 'email'; attrs.spellcheck = 'false'; }
      if (field.type === 'number') { attrs.type = 'text'; attrs.inputmode = 'decimal'; }
      if (field.type === 'tel') { attrs.autocomplete = 'tel'; }
      if (field.type === 'text' && /name/i.test(field.label)) attrs.autocomplete = 'name';
      control = h('input', Object.assign(attrs, common));
    }
    var wrapperClass = 'field' + (field.type === 'number' || field.type === 'date' ? ' field-short' : '');
    return h('div', { className: wrapperClass, id: field.id + '-field' }, [
      h('label', { 'for': field.id }, labelChildren(field)), hint, error, control
    ]);
  }

  function buildForm() {
    formRoot.textContent = '';
    submitted = false;
    var summary = h('div', { className: 'notice notice-error error-summary', id: 'error-summary', tabindex: '-1', hidden: true });
    var anyRequired = fields.some(function (f) { return f.required; });
    var form = h('form', { id: 'survey-form', novalidate: true }, [
      summary,
      anyRequired ? h('p', { className: 'hint required-note' }, ['Questions marked ', h('span', { className: 'req', text: '*' }), ' are required.']) : null
    ].concat(fields.map(buildField)).concat([
      h('div', { className: 'form-actions' }, [
        h('button', { className: 'btn btn-primary btn-lg', type: 'submit', text: cfg.submitLabel || 'Send answers' })
      ])
    ]));
    form.addEventListener('submit', onSubmit);
    form.addEventListener('change', onEdit);
    form.addEventListener('input', onEdit);
    formRoot.appendChild(form);
  }

  function onEdit(event) {
    if (!submitted) return;
    var id = (event.target.name || event.target.id || '').replace(/-\d+$/, '');
    var field = fields.filter(function (f) { return f.id === id; })[0];
    if (field) showError(field, validateField(field));
  }

  function onSubmit(event) {
    event.preventDefault();
    submitted = true;
    var problems = [];
    fields.forEach(function (field) {
      var message = validateField(field);
      showError(field, message);
      if (message) problems.push({ field: field, message: message });
    });
    var summary = document.getElementById('error-summary');
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
    list.push({ id: Date.now().toString(36) + Math.random().toString(36).slice(2, 6), submittedAt: new Date().toISOString(), answers: answers });
    store.set('responses', list);
    updateCounts();
    showThanks();
  }

  function showThanks() {
    formRoot.textContent = '';
    var box = h('div', { className: 'thanks', tabindex: '-1', id: 'thanks' }, [
      h('div', { className: 'thanks-icon', 'aria-hidden': 'true' }),
      h('h2', { text: 'Answers sent' }),
      h('p', { text: cfg.thankYou || 'Thank you!' }),
      h('div', { className: 'form-actions' }, [
        h('button', { className: 'btn btn-primary', type: 'button', text: 'Fill it in again', onclick: function () { buildForm(); focusFirst(); } }),
        h('a', { className: 'btn', href: '#responses', text: 'See all responses' })
      ])
    ]);
    formRoot.appendChild(box);
    box.focus();
    announce(cfg.thankYou || 'Thank you!');
  }

  function focusFirst() {
    var first = formRoot.querySelector('input, select, textarea');
    if (first) first.focus();
  }

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
    var summary = document.querySelector('[data-response-summary]');
    summary.textContent = n === 0 ? 'No responses yet.' : n === 1 ? '1 response saved in this browser.' : n + ' responses saved in this browser.';
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
        h('p', { text: 'Nobody has answered yet. Fill in the survey to see answers appear here.' }),
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
            if (!window.confirm('Delete response ' + (index + 1) + '?')) return;
            store.set('responses', responses().filter(function (x) { return x.id !== r.id; }));
            renderResponses();
            announce('Response deleted.');
            document.getElementById('responses-title').focus();
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

  // ---------- CSV ----------
  function csvCell(value) {
    var s = String(value === undefined || value === null ? '' : value);
    // Stop spreadsheets from running text that looks like a formula (but keep plain negative numbers).
    if (/^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+([.,]\d+)?$/.test(s)) s = "'" + s;
    if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
    return s;
  }

  function toCsv() {
    var cols = columns();
    var lines = [['Sent at'].concat(cols).map(csvCell).join(',')];
    responses().forEach(function (r) {
      lines.push([r.submittedAt].concat(cols.map(function (c) { return r.answers ? r.answers[c] : ''; })).map(csvCell).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }

  function downloadCsv() {
    var blob = new Blob(['\uFEFF' + toCsv()], { type: 'text/csv;charset=utf-8' });
    var url = URL.createObjectURL(blob);
    var a = h('a', { href: url, download: (cfg.slug || 'survey') + '-responses-' + new Date().toISOString().slice(0, 10) + '.csv' });
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    announce('CSV file downloaded.');
  }

  document.getElementById('download-csv').addEventListener('click', downloadCsv);
  document.getElementById('clear-responses').addEventListener('click', function () {
    if (!window.confirm('Delete all saved responses? This cannot be undone.')) return;
    store.set('responses', []);
    renderResponses();
    announce('All responses deleted.');
  });

  // ---------- views (#survey, #responses) ----------
  var firstRender = true;
  function route() {
    var view = window.location.hash === '#responses' ? 'responses' : 'survey';
    var views = document.querySelectorAll('[data-view]');
    for (var i = 0; i < views.length; i++) views[i].hidden = views[i].getAttribute('data-view') !== view;
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

  buildForm();
  updateCounts();
  window.addEventListener('hashchange', route);
  route();
})();
