/* CSV in and out, shared by the templates that collect input (kept once in templates/_shared/ and
   copied into each prototype when it is rendered). What people enter stays in their browser, so
   a CSV file is how it reaches the product manager: export it, email it, import it back.

   sandboxCsv.parse(text) reads CSV (comma, semicolon or tab, quotes, a leading BOM) into
     { header: [...], rows: [[...], ...], delimiter: ',' }, or null when there is no row.
   sandboxCsv.objects(table) turns that into one object per row, keyed by the header's names.
   sandboxCsv.format(rows) writes rows of cells as CSV; a cell that a spreadsheet would run as a
     formula (=, +, -, @ at its start) gets a leading apostrophe, plain negative numbers excepted.
   sandboxCsv.download(name, text) saves the text as a file (with a BOM so Excel reads UTF-8).
   sandboxCsv.choose(onText, onError) asks for a .csv file and hands over its text.
   sandboxCsv.number(raw, decimalComma) reads a number as a data file writes it: "1,234.5",
     "1.234,5" or, in a semicolon file, "3,5". */
(function () {
  'use strict';

  function trim(s) { return String(s === undefined || s === null ? '' : s).trim(); }

  function parse(text) {
    text = String(text || '').replace(/^\uFEFF/, '').replace(/^(?:[ \t]*\r?\n)+/, '');
    var firstLine = text.split(/\r?\n/)[0] || '';
    var delimiter = (firstLine.split(';').length > firstLine.split(',').length) ? ';'
      : (firstLine.split('\t').length > firstLine.split(',').length ? '\t' : ',');
    var rows = [], row = [], cell = '', quoted = false;
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
        } else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === delimiter) { row.push(cell); cell = ''; }
      else if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && text[i + 1] === '\n') i++;
        row.push(cell); rows.push(row); row = []; cell = '';
      } else cell += ch;
    }
    if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
    rows = rows.filter(function (r) { return r.some(function (c) { return trim(c) !== ''; }); });
    if (!rows.length) return null;
    var header = rows[0].map(function (c, i) { return trim(c) || ('column ' + (i + 1)); });
    return { header: header, rows: rows.slice(1), delimiter: delimiter };
  }

  function objects(table) {
    return table.rows.map(function (r) {
      var o = {};
      table.header.forEach(function (name, i) { o[name] = r[i] === undefined ? '' : r[i]; });
      return o;
    });
  }

  function cell(value) {
    var s = String(value === undefined || value === null ? '' : value);
    if (/^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+([.,]\d+)?$/.test(s)) s = "'" + s;
    if (/[",;\r\n]/.test(s) || /^\s|\s$/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
    return s;
  }

  function unguard(value) {
    // Undo the apostrophe format() put before a formula-looking cell, so a round trip keeps the text.
    var s = String(value === undefined || value === null ? '' : value);
    return /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s;
  }

  function format(rows) {
    return rows.map(function (r) { return r.map(cell).join(','); }).join('\r\n') + '\r\n';
  }

  function download(name, text) {
    var blob = new Blob(['\uFEFF' + text], { type: 'text/csv;charset=utf-8' });
    var url = URL.createObjectURL(blob);
    var a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function choose(onText, onError) {
    var input = document.createElement('input');
    input.type = 'file';
    input.accept = '.csv,text/csv';
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () { onText(String(reader.result), file.name); };
      reader.onerror = function () { if (onError) onError(file.name); };
      reader.readAsText(file);
    });
    input.click();
  }

  function number(raw, decimalComma) {
    var t = trim(raw).replace(/[\s\u00a0'%$\u20ac\u00a3]/g, '').replace(/[A-Za-z]+$/, '').replace(/^[A-Za-z]+/, '');
    if (!t) return null;
    var lastDot = t.lastIndexOf('.'), lastComma = t.lastIndexOf(',');
    if (lastDot >= 0 && lastComma >= 0) {
      t = lastComma > lastDot ? t.replace(/\./g, '').replace(',', '.') : t.replace(/,/g, '');
    } else if (lastDot >= 0 && decimalComma && /^-?\d{1,3}(\.\d{3})+$/.test(t)) {
      t = t.replace(/\./g, ''); // "1.800" in a semicolon file is one thousand eight hundred
    } else if (lastComma >= 0) {
      // "1,234" is a thousands separator, "3,5" a decimal comma.
      t = (decimalComma || !/^-?\d{1,3}(,\d{3})+$/.test(t)) ? t.replace(',', '.') : t.replace(/,/g, '');
    }
    var n = Number(t);
    return isFinite(n) ? n : null;
  }

  window.sandboxCsv = {
    parse: parse, objects: objects, format: format, unguard: unguard,
    download: download, choose: choose, number: number
  };
})();
