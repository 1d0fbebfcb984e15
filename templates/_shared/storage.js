/* Storage that survives reloads, shared by the templates (kept once in templates/_shared/ and
   copied into each prototype when it is rendered).

   sandboxStorage(slug) gives get/set/remove of JSON values, and list(key) for a stored list.
   Keys are prefixed with the project's slug and this page's folder, so two variants of one idea
   opened side by side never see each other's data. When the browser blocks localStorage (some
   file:// pages, private windows), the values live in memory for as long as the page is open. */
(function () {
  'use strict';

  window.sandboxStorage = function (slug) {
    var prefix = 'sandbox:' + (slug || 'prototype') + ':' + location.pathname.replace(/[^\/]*$/, '') + ':';
    var memory = {};
    return {
      get: function (key, fallback) {
        try {
          var raw = window.localStorage.getItem(prefix + key);
          return raw === null ? fallback : JSON.parse(raw);
        } catch (e) {
          return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : fallback;
        }
      },
      set: function (key, value) {
        memory[key] = value;
        try { window.localStorage.setItem(prefix + key, JSON.stringify(value)); } catch (e) { /* memory only */ }
      },
      list: function (key) {
        var value = this.get(key, []);
        return Array.isArray(value) ? value : [];  // a damaged or hand-edited value reads as empty
      },
      remove: function (key) {
        delete memory[key];
        try { window.localStorage.removeItem(prefix + key); } catch (e) { /* memory only */ }
      }
    };
  };
})();
