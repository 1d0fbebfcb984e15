/* Landing page behaviour: email sign-up stored in this browser (localStorage), exported and
   imported as CSV so the sign-ups collected on a laptop reach whoever runs the launch. */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }

  var store = window.sandboxStorage(cfg.slug);  // storage.js, shared by the templates
  var csv = window.sandboxCsv;                  // csv.js
  var helpers = window.sandboxHelpers;          // helpers.js

  var form = document.getElementById('signup-form');
  var email = document.getElementById('signup-email');
  var error = document.getElementById('signup-email-error');
  var status = document.getElementById('signup-status');
  var countEls = document.querySelectorAll('[data-signup-count]');
  var summary = document.querySelector('[data-demo-summary]');
  var exportBtn = document.getElementById('export-signups');
  var importBtn = document.getElementById('import-signups');
  var resetBtn = document.getElementById('reset-signups');
  var EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[^\s@.]{2,}$/;

  function signups() { return store.list('signups'); }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function renderCount() {
    var n = signups().length;
    for (var i = 0; i < countEls.length; i++) {
      countEls[i].textContent = n === 0
        ? 'Be the first to sign up.'
        : plural(n, 'person has', 'people have') + ' already signed up.';
    }
    summary.textContent = n === 0 ? 'No sign-ups yet in this browser.' : plural(n, 'sign-up', 'sign-ups') + ' in this browser.';
    exportBtn.disabled = n === 0;
    resetBtn.disabled = n === 0;
  }

  function setError(message) {
    error.textContent = message;
    if (message) email.setAttribute('aria-invalid', 'true');
    else email.removeAttribute('aria-invalid');
  }

  function validate() {
    var value = email.value.trim();
    if (!value) return 'Enter your email address.';
    if (!EMAIL_RE.test(value)) return 'Enter an email address like name@company.com.';
    return '';
  }

  function showStatus(kind, title, text) {
    status.textContent = '';
    var p = helpers.h('p', null, [helpers.h('strong', { text: title }), text || null]);
    status.appendChild(helpers.h('div', { className: 'notice notice-' + kind }, [p]));
  }

  function known(list, value) {
    return list.some(function (s) { return String(s.email).toLowerCase() === value.toLowerCase(); });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var message = validate();
    setError(message);
    if (message) {
      status.textContent = '';
      email.focus();
      return;
    }
    var value = email.value.trim();
    var list = signups();
    if (known(list, value)) {
      showStatus('success', 'You are already on the list.', ' We have ' + value + ' saved, no need to sign up twice.');
    } else {
      list.push({ email: value, signedUpAt: new Date().toISOString() });
      store.set('signups', list);
      showStatus('success', cfg.thankYou || 'Thanks for signing up!', '');
    }
    form.reset();
    renderCount();
  });

  email.addEventListener('input', function () {
    // Clear the error as soon as the value becomes valid; do not nag while typing.
    if (email.getAttribute('aria-invalid') === 'true' && !validate()) setError('');
  });

  exportBtn.addEventListener('click', function () {
    var rows = [['Email', 'Signed up at']].concat(signups().map(function (s) { return [s.email, s.signedUpAt]; }));
    csv.download((cfg.slug || 'landing') + '-signups.csv', csv.format(rows));
  });

  importBtn.addEventListener('click', function () {
    csv.choose(function (text, name) {
      var table = csv.parse(text);
      var col = table ? table.header.map(function (c) { return c.toLowerCase(); }).indexOf('email') : -1;
      var at = table ? table.header.map(function (c) { return c.toLowerCase(); }).indexOf('signed up at') : -1;
      if (col < 0) {
        showStatus('error', 'Nothing imported.', ' ' + name + ' has no "Email" column.');
        return;
      }
      var list = signups(), added = 0;
      table.rows.forEach(function (r) {
        var value = csv.unguard(helpers.trim(r[col]));
        if (!EMAIL_RE.test(value) || known(list, value)) return;
        list.push({ email: value, signedUpAt: at >= 0 && r[at] ? helpers.trim(r[at]) : new Date().toISOString() });
        added++;
      });
      store.set('signups', list);
      renderCount();
      showStatus('success', 'Imported ' + plural(added, 'sign-up', 'sign-ups') + '.', ' From ' + name + '; addresses already on the list were skipped.');
    });
  });

  resetBtn.addEventListener('click', function () {
    helpers.confirm('Clear the sign-ups?', 'All sign-ups stored in this browser will be removed. Export them first to keep them.', 'Clear', function () {
      store.remove('signups');
      status.textContent = '';
      renderCount();
    });
  });

  // Move focus to the form when the call-to-action is used, so keyboard users land in the right place.
  var ctas = document.querySelectorAll('a[href="#signup"]');
  for (var i = 0; i < ctas.length; i++) {
    ctas[i].addEventListener('click', function () {
      window.setTimeout(function () { email.focus({ preventScroll: true }); }, 350);
    });
  }

  renderCount();
})();
