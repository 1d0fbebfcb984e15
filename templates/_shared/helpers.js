/* Small helpers for templates that build their page from the lists a person writes in
   project.yaml (crud-app, form-survey). Kept once in templates/_shared/ and copied into each
   prototype when it is rendered.

   sandboxHelpers.h(tag, attrs, children) makes an element: attrs 'text' sets its text,
     'className' its class, 'onclick' and the like add a listener, true makes an empty attribute,
     and null, undefined or false leave the attribute out; string children become text.
   sandboxHelpers.trim(value) is the value as a trimmed string ('' for null and undefined).
   sandboxHelpers.uniqueLabels(fields) renames repeated labels "Name", "Name (2)", ... in place,
     because answers are stored by label and two questions must not share one. */
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

  function uniqueLabels(fields) {
    var seen = {};
    fields.forEach(function (f) {
      var base = f.label, n = 1;
      while (seen[f.label.toLowerCase()]) { n++; f.label = base + ' (' + n + ')'; }
      seen[f.label.toLowerCase()] = true;
    });
    return fields;
  }

  window.sandboxHelpers = { h: h, trim: trim, uniqueLabels: uniqueLabels };
})();
