/* Small helpers for templates that build their page from the lists a person writes in
   project.yaml (crud-app, form-survey). Kept once in templates/_shared/ and copied into each
   prototype when it is rendered.

   sandboxHelpers.h(tag, attrs, children) makes an element: attrs 'text' sets its text,
     'className' its class, 'onclick' and the like add a listener, true makes an empty attribute,
     and null, undefined or false leave the attribute out; string children become text.
   sandboxHelpers.trim(value) is the value as a trimmed string ('' for null and undefined).
   sandboxHelpers.parseNumber(text) reads a number the way this browser's locale writes it (the
     way the page shows it): "24,000" is twenty-four thousand in English and "24.000" in German;
     plain "1234.5" is accepted everywhere. Returns null for anything else.
   sandboxHelpers.formatNumber(n, decimals) shows a number in the same locale, for lists;
     sandboxHelpers.editNumber(n) the same without grouping, for a form field to edit.
   sandboxHelpers.confirm(title, text, okLabel, onOk) asks in a modal <dialog> (built on first use,
     so a page needs no markup for it; Escape or Cancel returns focus where it was). */
(function () {
  'use strict';

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'text') el.textContent = value;
        else if (key === 'className') el.className = value;
        else if (key.slice(0, 2) === 'on') el.addEventListener(key.slice(2), value);
        else el.setAttribute(key, value === true ? '' : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return el;
  }

  function trim(s) { return String(s === undefined || s === null ? '' : s).trim(); }

  function separators() {
    var found = { group: ',', decimal: '.' };
    try {
      new Intl.NumberFormat().formatToParts(12345.6).forEach(function (part) {
        if (part.type === 'group') found.group = part.value;
        if (part.type === 'decimal') found.decimal = part.value;
      });
    } catch (e) { /* an old browser: English separators */ }
    return found;
  }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

  function parseNumber(text) {
    var t = trim(text).replace(/[\s\u00a0\u202f$\u20ac\u00a3]/g, '');
    if (!t) return null;
    var sep = separators();
    var group = sep.group.replace(/[\s\u00a0\u202f]/g, '');  // a space group was removed above
    var local = new RegExp('^[-+]?(?:\\d{1,3}(?:' + (group ? escapeRe(group) : '') + '\\d{3})+|\\d+)(?:' +
      escapeRe(sep.decimal) + '\\d+)?$');
    if (local.test(t)) {
      var plain = (group ? t.split(group).join('') : t).replace(sep.decimal, '.');
      return isFinite(Number(plain)) ? Number(plain) : null;
    }
    return /^[-+]?\d+(\.\d+)?$/.test(t) ? Number(t) : null;
  }

  function formatNumber(n, decimals) {
    if (n === '' || n === null || n === undefined || !isFinite(n)) return '';
    var two = decimals || Math.round(n) !== n;
    try {
      return new Intl.NumberFormat(undefined, { minimumFractionDigits: two ? 2 : 0, maximumFractionDigits: 2 }).format(n);
    } catch (e) { return String(n); }
  }

  function editNumber(n) {
    if (n === '' || n === null || n === undefined || !isFinite(n)) return '';
    try {
      return new Intl.NumberFormat(undefined, { useGrouping: false, maximumFractionDigits: 20 }).format(n);
    } catch (e) { return String(n); }
  }

  var dialog = null;

  function buildDialog() {
    dialog = h('dialog', { className: 'dialog', id: 'confirm-dialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' }, [
      h('form', { method: 'dialog' }, [
        h('h2', { id: 'confirm-title' }),
        h('p', { id: 'confirm-text' }),
        h('div', { className: 'dialog-actions' }, [
          h('button', { className: 'btn', value: 'cancel', type: 'submit', text: 'Cancel' }),
          h('button', { className: 'btn btn-danger-solid', value: 'ok', type: 'submit', id: 'confirm-ok', text: 'OK' })
        ])
      ])
    ]);
    document.body.appendChild(dialog);
  }

  function confirmAction(title, text, okLabel, onOk) {
    if (!dialog) buildDialog();
    var opener = document.activeElement;
    dialog.querySelector('#confirm-title').textContent = title;
    dialog.querySelector('#confirm-text').textContent = text;
    dialog.querySelector('#confirm-ok').textContent = okLabel;
    dialog.returnValue = '';
    dialog.addEventListener('close', function handler() {
      dialog.removeEventListener('close', handler);
      if (dialog.returnValue === 'ok') onOk();
      else if (opener && opener.focus && document.body.contains(opener)) opener.focus();
    });
    dialog.showModal();
    dialog.querySelector('button[value="cancel"]').focus();
  }

  window.sandboxHelpers = {
    h: h, trim: trim, parseNumber: parseNumber, formatNumber: formatNumber, editNumber: editNumber,
    confirm: confirmAction
  };
})();
