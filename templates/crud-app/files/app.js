/* List / detail / edit prototype. Records live in this browser (localStorage) and go out and
   back in as CSV. Views follow the address so the browser Back button works:
   #/ (list), #/new, #/item/<id>, #/item/<id>/edit. The fields and sample records arrive parsed
   (sandbox-config); the list view is already in the page and is drawn again the same way here.
   Numbers are read the way this browser's locale writes them, as the list shows them. */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }
  var ITEM = cfg.item || 'Record';
  var ITEMS = cfg.items || 'Records';
  var item = ITEM.toLowerCase();
  var items = ITEMS.toLowerCase();
  var view = document.getElementById('view');
  var baseTitle = document.title;

  // ---------- helpers ----------
  var helpers = window.sandboxHelpers;  // helpers.js, shared by the templates
  var h = helpers.h;
  var trim = helpers.trim;
  function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }

  var store = window.sandboxStorage(cfg.slug);  // storage.js, shared by the templates

  var csv = window.sandboxCsv;  // csv.js

  // ---------- fields and records ----------
  var fields = cfg.fields || [];
  var titleField = fields[0];
  var filterField = fields.filter(function (f) { return f.type === 'choice' && /status|state|stage/i.test(f.label); })[0] ||
    fields.filter(function (f) { return f.type === 'choice'; })[0] || null;
  var sumField = fields.filter(function (f) { return f.type === 'number'; })[0] || null;
  var listFields = fields.filter(function (f) { return f.type !== 'textarea'; }).slice(0, 5);

  function choiceValue(field, v) {
    var match = field.options.filter(function (o) { return o.toLowerCase() === v.toLowerCase(); })[0];
    return match || v;
  }

  // What a person typed into the form, as stored: numbers as this browser's locale writes them.
  function normalise(field, raw) {
    var v = trim(raw);
    if (field.type === 'number') { var n = helpers.parseNumber(v); return n === null ? '' : n; }
    if (field.type === 'choice') return choiceValue(field, v);
    return v;
  }

  function sampleRecords() { return JSON.parse(JSON.stringify(cfg.records || [])); }

  var signature = JSON.stringify([cfg.fields, cfg.records]);
  function load() {
    var saved = store.get('records', null);
    // Fresh start, or the fields / sample records were changed in the Sandbox: use the new sample data.
    if (!Array.isArray(saved) || store.get('signature', '') !== signature) {
      saved = sampleRecords();
      store.set('records', saved);
      store.set('signature', signature);
    }
    return saved;
  }
  var records = load();
  function save() { store.set('records', records); }
  function find(id) { return records.filter(function (r) { return r.id === id; })[0] || null; }
  function newId() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 6); }

  // ---------- formatting ----------
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function fieldHasDecimals(field) {
    return records.some(function (r) { var v = r.values[field.label]; return typeof v === 'number' && Math.round(v) !== v; });
  }
  var formatNumber = helpers.formatNumber;
  function display(field, value) {
    if (field.type === 'bool') return value ? 'Yes' : 'No';
    if (value === '' || value === null || value === undefined) return '';
    if (field.type === 'number') return formatNumber(value, fieldHasDecimals(field));
    if (field.type === 'date') {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
      if (m && +m[2] >= 1 && +m[2] <= 12) return +m[3] + ' ' + MONTHS[+m[2] - 1] + ' ' + m[1];
    }
    return String(value);
  }
  var tones = cfg.tones || {};  // each choice option's badge colour, from the same list as the markup's
  function tone(value) { return tones[String(value).trim().toLowerCase()] || 'neutral'; }
  function cell(field, value) {
    var text = display(field, value);
    if (field.type === 'choice' && text) return h('span', { className: 'badge badge-' + tone(text), text: text });
    if (field.type === 'bool') return h('span', { className: 'badge badge-' + (value ? 'success' : 'neutral'), text: text });
    return text ? document.createTextNode(text) : h('span', { className: 'muted', text: '\u2014' });
  }
  function recordTitle(rec) { return trim(display(titleField, rec.values[titleField.label])) || ('Untitled ' + item); }

  // ---------- toast + confirm ----------
  var toastTimer = null;
  function toast(text) {
    var region = document.getElementById('toast');
    region.textContent = '';
    region.appendChild(h('div', { className: 'toast', text: text }));
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { region.textContent = ''; }, 4000);
  }

  var confirmAction = helpers.confirm;

  function resetData() {
    confirmAction('Reset sample data?', 'All ' + items + ' go back to the sample data. Your changes will be lost.', 'Reset', function () {
      records = sampleRecords();
      save();
      store.set('signature', signature);
      listState.query = '';
      listState.filter = '';
      if (location.hash === '#/' || location.hash === '') render(); else location.hash = '#/';
      toast('Sample data restored.');
    });
  }

  // ---------- list view ----------
  var listState = { query: '', filter: '', sort: null, dir: 1 };

  function matches(rec) {
    if (listState.filter && filterField && String(rec.values[filterField.label]) !== listState.filter) return false;
    if (!listState.query) return true;
    var q = listState.query.toLowerCase();
    return fields.some(function (f) { return display(f, rec.values[f.label]).toLowerCase().indexOf(q) >= 0; });
  }

  function compare(a, b) {
    var f = fields.filter(function (x) { return x.key === listState.sort; })[0];
    if (!f) return 0;
    var va = a.values[f.label], vb = b.values[f.label];
    var empty = function (v) { return v === '' || v === null || v === undefined; };
    if (empty(va) && empty(vb)) return 0;
    if (empty(va)) return 1;
    if (empty(vb)) return -1;
    if (f.type === 'number') return (va - vb) * listState.dir;
    if (f.type === 'choice') return (f.options.indexOf(va) - f.options.indexOf(vb) || String(va).localeCompare(String(vb))) * listState.dir;
    return String(va).localeCompare(String(vb), undefined, { numeric: true, sensitivity: 'base' }) * listState.dir;
  }

  function renderList() {
    document.title = baseTitle;
    var head = h('div', { className: 'page-head' }, [
      h('div', null, [
        h('h1', { id: 'view-title', tabindex: '-1', text: ITEMS }),
        h('p', { className: 'muted', id: 'list-summary' })
      ]),
      h('div', { className: 'page-actions' }, [
        h('a', { className: 'btn btn-primary', href: '#/new' }, [plusIcon(), 'New ' + item])
      ])
    ]);

    var search = h('input', {
      id: 'search', type: 'search', className: 'input', placeholder: 'Search ' + items + '\u2026',
      value: listState.query, autocomplete: 'off'
    });
    var toolbar = h('div', { className: 'toolbar', role: 'search' }, [
      h('div', { className: 'tool' }, [h('label', { 'for': 'search', className: 'tool-label', text: 'Search' }), search])
    ]);
    var filter = null;
    if (filterField) {
      filter = h('select', { id: 'filter', className: 'input' }, [h('option', { value: '', text: 'All' })].concat(
        filterField.options.map(function (o) { return h('option', { value: o, text: o }); })));
      filter.value = listState.filter;
      toolbar.appendChild(h('div', { className: 'tool tool-filter' }, [h('label', { 'for': 'filter', className: 'tool-label', text: filterField.label }), filter]));
    }

    var results = h('div', { id: 'results' });
    var tools = h('div', { className: 'data-tools list-tools', role: 'group', 'aria-label': ITEMS + ' as a spreadsheet' }, [
      h('button', { className: 'link-button', type: 'button', id: 'export-csv', text: 'Export CSV', onclick: exportCsv }),
      h('button', { className: 'link-button', type: 'button', id: 'import-csv', text: 'Import CSV', onclick: importCsv })
    ]);
    view.textContent = '';
    view.appendChild(head);
    view.appendChild(toolbar);
    view.appendChild(results);
    view.appendChild(tools);

    function update() {
      var rows = records.filter(matches);
      if (listState.sort) rows = rows.slice().sort(compare);
      var summary = document.getElementById('list-summary');
      var total = '';
      if (sumField) {
        var sum = rows.reduce(function (acc, r) { var v = r.values[sumField.label]; return acc + (typeof v === 'number' ? v : 0); }, 0);
        total = ' \u00b7 ' + sumField.label + ' total: ' + formatNumber(Math.round(sum * 100) / 100, fieldHasDecimals(sumField));
      }
      var shown = rows.length === records.length ? records.length + ' ' + (records.length === 1 ? item : items)
        : rows.length + ' of ' + records.length + ' ' + items;
      summary.textContent = shown + total;
      results.textContent = '';
      if (!records.length) {
        results.appendChild(emptyState('No ' + items + ' yet.', 'Add the first one, import a CSV file, or bring back the sample data.', true));
        return;
      }
      if (!rows.length) {
        results.appendChild(emptyState('No ' + items + ' match your search.', 'Try another word or clear the filter.', false));
        return;
      }
      results.appendChild(table(rows));
    }

    search.addEventListener('input', function () { listState.query = search.value.trim(); update(); });
    if (filter) filter.addEventListener('change', function () { listState.filter = filter.value; update(); });
    update();
  }

  function emptyState(title, text, showReset) {
    return h('div', { className: 'card empty' }, [
      h('p', { className: 'empty-title', text: title }),
      h('p', { className: 'muted', text: text }),
      h('div', { className: 'empty-actions' }, [
        h('a', { className: 'btn btn-primary', href: '#/new', text: 'New ' + item }),
        showReset ? h('button', { className: 'btn', type: 'button', text: 'Reset sample data', onclick: resetData }) : null
      ])
    ]);
  }

  function table(rows) {
    var headRow = h('tr', null, listFields.map(function (f) {
      var active = listState.sort === f.key;
      var th = h('th', { scope: 'col', className: f.type === 'number' ? 'num' : '' }, [
        h('button', {
          type: 'button', className: 'sort',
          onclick: function () {
            if (listState.sort === f.key) listState.dir = -listState.dir; else { listState.sort = f.key; listState.dir = 1; }
            renderList();
            var again = document.querySelector('[data-sort="' + f.key + '"]');
            if (again) again.focus();
          },
          'data-sort': f.key
        }, [f.label, h('span', { className: 'sort-icon', 'aria-hidden': 'true', text: active ? (listState.dir > 0 ? '\u25B2' : '\u25BC') : '\u2195' })])
      ]);
      if (active) th.setAttribute('aria-sort', listState.dir > 0 ? 'ascending' : 'descending');
      return th;
    }).concat([h('th', { scope: 'col', className: 'actions-col' }, [h('span', { className: 'visually-hidden', text: 'Actions' })])]));

    var body = rows.map(function (rec) {
      return h('tr', null, listFields.map(function (f, i) {
        var content = i === 0
          ? h('a', { href: '#/item/' + encodeURIComponent(rec.id), className: 'row-link', text: recordTitle(rec) })
          : cell(f, rec.values[f.label]);
        return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, className: f.type === 'number' ? 'num' : '', 'data-label': f.label }, [content]);
      }).concat([h('td', { className: 'actions-col' }, [
        h('a', { className: 'btn btn-ghost btn-sm', href: '#/item/' + encodeURIComponent(rec.id) + '/edit', 'aria-label': 'Edit ' + recordTitle(rec), text: 'Edit' })
      ])]));
    });

    return h('div', { className: 'table-wrap card' }, [
      h('table', { className: 'records' }, [
        h('caption', { className: 'visually-hidden', text: ITEMS + (listState.sort ? ', sorted' : '') }),
        h('thead', null, [headRow]),
        h('tbody', null, body)
      ])
    ]);
  }

  function plusIcon() {
    var span = h('span', { 'aria-hidden': 'true', className: 'plus', text: '+' });
    return span;
  }

  // ---------- detail view ----------
  function renderDetail(rec) {
    document.title = recordTitle(rec) + ' \u00b7 ' + baseTitle;
    var rows = fields.map(function (f) {
      return h('div', { className: 'detail-row' + (f.type === 'textarea' ? ' detail-wide' : '') }, [
        h('dt', { text: f.label }),
        h('dd', null, [cell(f, rec.values[f.label])])
      ]);
    });
    view.textContent = '';
    view.appendChild(h('p', { className: 'back' }, [h('a', { href: '#/' }, [h('span', { 'aria-hidden': 'true', text: '\u2190 ' }), 'All ' + items])]));
    view.appendChild(h('article', { className: 'card detail' }, [
      h('div', { className: 'detail-head' }, [
        h('div', null, [
          h('p', { className: 'eyebrow', text: ITEM }),
          h('h1', { id: 'view-title', tabindex: '-1', text: recordTitle(rec) })
        ]),
        h('div', { className: 'page-actions' }, [
          h('a', { className: 'btn btn-primary', href: '#/item/' + encodeURIComponent(rec.id) + '/edit', text: 'Edit' }),
          h('button', {
            className: 'btn btn-danger', type: 'button', text: 'Delete',
            onclick: function () {
              confirmAction('Delete this ' + item + '?', '\u201c' + recordTitle(rec) + '\u201d will be removed. This cannot be undone.', 'Delete', function () {
                records = records.filter(function (r) { return r.id !== rec.id; });
                save();
                location.hash = '#/';
                toast(ITEM + ' deleted.');
              });
            }
          })
        ])
      ]),
      h('dl', { className: 'detail-list' }, rows.slice(1))
    ]));
  }

  // ---------- edit / create ----------
  var EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[^\s@.]{2,}$/;

  function validate(f, value) {
    if (f.type === 'bool') return '';
    var v = trim(value);
    if (!v) return f.required ? (f.type === 'choice' ? 'Choose ' : 'Enter ') + 'a value for \u201c' + f.label + '\u201d.' : '';
    if (f.type === 'number' && helpers.parseNumber(v) === null) {
      return f.label + ' must be a number, like ' + formatNumber(1250) + ' or ' + formatNumber(3.5, true) + '.';
    }
    if (f.type === 'email' && !EMAIL_RE.test(v)) return 'Enter an email address like name@company.com.';
    if (f.type === 'date' && (!/^\d{4}-\d{2}-\d{2}$/.test(v) || isNaN(Date.parse(v)))) return 'Enter a real date.';
    return '';
  }

  function renderForm(rec) {
    var isNew = !rec;
    var heading = isNew ? 'New ' + item : 'Edit ' + item;
    document.title = heading + ' \u00b7 ' + baseTitle;
    var values = rec ? rec.values : {};
    var controls = {};

    var body = fields.map(function (f) {
      var id = 'field-' + f.key;
      var describedBy = (f.hint ? id + '-hint ' : '') + id + '-error';
      var value = values[f.label];
      var control;
      if (f.type === 'bool') {
        control = h('input', { type: 'checkbox', id: id, name: f.key, checked: !!value, 'aria-describedby': describedBy });
        controls[f.key] = control;
        return h('div', { className: 'field field-check' }, [
          h('div', { className: 'check-row' }, [control, h('label', { 'for': id, text: f.label })]),
          f.hint ? h('p', { className: 'hint', id: id + '-hint', text: f.hint }) : null,
          h('p', { className: 'error-text', id: id + '-error' })
        ]);
      }
      var attrs = { id: id, name: f.key, 'aria-describedby': describedBy, required: f.required };
      if (f.type === 'choice') {
        control = h('select', attrs, [h('option', { value: '', text: f.required ? 'Choose\u2026' : '\u2014' })].concat(
          f.options.map(function (o) { return h('option', { value: o, text: o }); })));
        if (value && f.options.indexOf(value) < 0) control.appendChild(h('option', { value: value, text: value }));
        control.value = value === undefined || value === null ? '' : String(value);
      } else if (f.type === 'textarea') {
        control = h('textarea', Object.assign({ rows: '4' }, attrs));
        control.value = value || '';
      } else {
        var type = f.type === 'number' ? 'text' : f.type;
        control = h('input', Object.assign({ type: type, inputmode: f.type === 'number' ? 'decimal' : null, autocomplete: 'off' }, attrs));
        control.value = f.type === 'number' ? helpers.editNumber(value) : (value === undefined || value === null ? '' : String(value));
      }
      controls[f.key] = control;
      return h('div', { className: 'field' + (f.type === 'number' || f.type === 'date' ? ' field-short' : '') + (f.type === 'textarea' ? ' field-wide' : '') }, [
        h('label', { 'for': id }, [f.label, f.required ? h('span', { className: 'req', 'aria-hidden': 'true', text: ' *' }) : null,
          f.required ? h('span', { className: 'visually-hidden', text: ' (required)' }) : null]),
        f.hint ? h('p', { className: 'hint', id: id + '-hint', text: f.hint }) : null,
        h('p', { className: 'error-text', id: id + '-error' }),
        control
      ]);
    });

    var cancelHref = isNew ? '#/' : '#/item/' + encodeURIComponent(rec.id);
    var form = h('form', { className: 'card edit-form', novalidate: true }, [
      h('div', { className: 'form-grid' }, body),
      h('div', { className: 'form-actions' }, [
        h('button', { className: 'btn btn-primary', type: 'submit', text: isNew ? 'Create ' + item : 'Save changes' }),
        h('a', { className: 'btn', href: cancelHref, text: 'Cancel' })
      ])
    ]);
    var tried = false;

    function check(f) {
      var el = controls[f.key];
      var msg = validate(f, f.type === 'bool' ? '' : el.value);
      document.getElementById('field-' + f.key + '-error').textContent = msg;
      if (msg) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
      return msg;
    }

    form.addEventListener('input', function (e) {
      if (!tried) return;
      var f = fields.filter(function (x) { return 'field-' + x.key === e.target.id; })[0];
      if (f) check(f);
    });
    form.addEventListener('change', function (e) {
      if (!tried) return;
      var f = fields.filter(function (x) { return 'field-' + x.key === e.target.id; })[0];
      if (f) check(f);
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      tried = true;
      var firstBad = null;
      fields.forEach(function (f) { if (check(f) && !firstBad) firstBad = controls[f.key]; });
      if (firstBad) {
        firstBad.focus();
        toast('Please fix the highlighted fields.');
        return;
      }
      var target = rec || { id: newId(), values: {} };
      fields.forEach(function (f) {
        var el = controls[f.key];
        target.values[f.label] = f.type === 'bool' ? el.checked : normalise(f, el.value);
      });
      if (isNew) records.unshift(target);
      save();
      location.hash = '#/item/' + encodeURIComponent(target.id);
      toast(isNew ? ITEM + ' created.' : 'Changes saved.');
    });

    view.textContent = '';
    view.appendChild(h('p', { className: 'back' }, [h('a', { href: cancelHref }, [h('span', { 'aria-hidden': 'true', text: '\u2190 ' }), isNew ? 'All ' + items : 'Back to ' + item])]));
    view.appendChild(h('div', { className: 'page-head' }, [h('div', null, [
      h('h1', { id: 'view-title', tabindex: '-1', text: heading }),
      h('p', { className: 'muted' }, fields.some(function (f) { return f.required; })
        ? ['Fields marked ', h('span', { className: 'req', text: '*' }), ' are required.'] : ['All fields are optional.'])
    ])]));
    view.appendChild(form);
  }

  function renderMissing() {
    document.title = 'Not found \u00b7 ' + baseTitle;
    view.textContent = '';
    view.appendChild(h('div', { className: 'page-head' }, [h('h1', { id: 'view-title', tabindex: '-1', text: cap(item) + ' not found' })]));
    view.appendChild(h('div', { className: 'card empty' }, [
      h('p', { className: 'muted', text: 'It may have been deleted, or the sample data was reset.' }),
      h('a', { className: 'btn btn-primary', href: '#/', text: 'Back to all ' + items })
    ]));
  }

  // ---------- CSV out and back in ----------
  function exportCsv() {
    var rows = [['ID'].concat(fields.map(function (f) { return f.label; }))].concat(records.map(function (r) {
      return [r.id].concat(fields.map(function (f) {
        var v = r.values[f.label];
        return f.type === 'bool' ? (v ? 'Yes' : 'No') : (v === undefined || v === null ? '' : v);
      }));
    }));
    csv.download((cfg.slug || 'records') + '-' + items.replace(/\s+/g, '-') + '.csv', csv.format(rows));
    toast(ITEMS + ' exported as CSV.');
  }

  function fromCsv(field, raw, decimalComma) {
    var v = trim(csv.unguard(raw));
    if (field.type === 'number') { var n = csv.number(v, decimalComma); return n === null ? '' : n; }
    if (field.type === 'bool') return /^(yes|y|true|1|x|on)$/i.test(v);
    if (field.type === 'choice') return choiceValue(field, v);
    return v;
  }

  function importCsv() {
    csv.choose(function (text, name) {
      var table = csv.parse(text);
      var known = table ? fields.filter(function (f) { return table.header.indexOf(f.label) >= 0; }) : [];
      if (!known.length) { toast(name + ' has none of the columns ' + fields.map(function (f) { return f.label; }).join(', ') + '.'); return; }
      var added = 0, updated = 0;
      csv.objects(table).forEach(function (row) {
        var rec = row.ID ? find(trim(row.ID)) : null;
        if (rec) updated++;
        else { rec = { id: trim(row.ID) || newId(), values: {} }; records.push(rec); added++; }
        known.forEach(function (f) { rec.values[f.label] = fromCsv(f, row[f.label], table.delimiter === ';'); });
      });
      save();
      if (location.hash === '#/' || location.hash === '') render(); else location.hash = '#/';
      toast('Imported from ' + name + ': ' + added + ' new, ' + updated + ' updated.');
    });
  }

  // ---------- router ----------
  var first = true;
  function render() {
    var hash = location.hash.replace(/^#/, '');
    var m;
    var nav = document.querySelector('[data-nav="list"]');
    if ((m = /^\/item\/([^\/]+)\/edit$/.exec(hash))) {
      var r1 = find(decodeURIComponent(m[1]));
      if (r1) renderForm(r1); else renderMissing();
    } else if ((m = /^\/item\/([^\/]+)$/.exec(hash))) {
      var r2 = find(decodeURIComponent(m[1]));
      if (r2) renderDetail(r2); else renderMissing();
    } else if (hash === '/new') {
      renderForm(null);
    } else {
      renderList();
    }
    var onList = !/^\/(item|new)/.test(hash);
    if (onList) nav.setAttribute('aria-current', 'page'); else nav.removeAttribute('aria-current');
    if (!first) {
      window.scrollTo(0, 0);
      var title = document.getElementById('view-title');
      if (title) title.focus({ preventScroll: true });
    }
    first = false;
  }

  document.getElementById('reset-data').addEventListener('click', resetData);
  window.addEventListener('hashchange', render);
  render();
})();
