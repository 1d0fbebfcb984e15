/* Landing page behaviour: email sign-up stored in this browser (localStorage). */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }

  var store = window.sandboxStorage(cfg.slug);  // storage.js, shared by the templates

  var form = document.getElementById('signup-form');
  var email = document.getElementById('signup-email');
  var error = document.getElementById('signup-email-error');
  var status = document.getElementById('signup-status');
  var countEls = document.querySelectorAll('[data-signup-count]');
  var summary = document.querySelector('[data-demo-summary]');
  var resetBtn = document.getElementById('reset-signups');
  var EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[^\s@.]{2,}$/;

  function signups() { return store.list('signups'); }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function renderCount() {
    var n = signups().length;
    for (var i = 0; i < countEls.length; i++) {
      var el = countEls[i];
      if (!cfg.showCount) { el.hidden = true; continue; }
      el.textContent = n === 0
        ? 'Be the first to sign up.'
        : plural(n, 'person has', 'people have') + ' already signed up.';
      el.hidden = false;
    }
    if (summary) {
      summary.textContent = n === 0
        ? 'Sign-ups are stored only in this browser.'
        : plural(n, 'sign-up', 'sign-ups') + ' stored only in this browser.';
    }
    if (resetBtn) resetBtn.hidden = n === 0;
  }

  function setError(message) {
    error.textContent = message;
    if (message) {
      email.setAttribute('aria-invalid', 'true');
    } else {
      email.removeAttribute('aria-invalid');
    }
  }

  function validate() {
    var value = email.value.trim();
    if (!value) return 'Enter your email address.';
    if (!EMAIL_RE.test(value)) return 'Enter an email address like name@company.com.';
    return '';
  }

  function showStatus(kind, title, text) {
    status.textContent = '';
    var box = document.createElement('div');
    box.className = 'notice notice-' + kind;
    var p = document.createElement('p');
    var strong = document.createElement('strong');
    strong.textContent = title;
    p.appendChild(strong);
    if (text) p.appendChild(document.createTextNode(text));
    box.appendChild(p);
    status.appendChild(box);
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
    var exists = list.some(function (s) { return String(s.email).toLowerCase() === value.toLowerCase(); });
    if (exists) {
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

  if (resetBtn) {
    resetBtn.addEventListener('click', function () {
      if (!window.confirm('Remove all demo sign-ups stored in this browser?')) return;
      store.remove('signups');
      status.textContent = '';
      renderCount();
    });
  }

  // Move focus to the form when the call-to-action is used, so keyboard users land in the right place.
  var ctas = document.querySelectorAll('a[href="#signup"]');
  for (var i = 0; i < ctas.length; i++) {
    ctas[i].addEventListener('click', function () {
      window.setTimeout(function () { email.focus({ preventScroll: true }); }, 350);
    });
  }

  renderCount();
})();
