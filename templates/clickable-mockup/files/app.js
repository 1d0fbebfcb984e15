/* Clickable mockup: shows one screen at a time, driven by the address (#screen-2, #map), so the
   browser Back button and shared links work. A script in <head> picks the screen before the first
   paint (html[data-at]); this file keeps it in step, and makes the mock screens respond: buttons
   and list rows lead on, forms continue, the list's search and filter chips filter, and the screen
   you arrive on says which button brought you there. Without JavaScript all screens are listed. */
(function () {
  'use strict';

  var root = document.documentElement;
  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }
  var names = cfg.screens || [];
  var baseTitle = document.title;
  var screens = document.querySelectorAll('[data-screen]');
  var map = document.getElementById('map');
  var tabLinks = document.querySelectorAll('[data-screen-link]');
  var mapLinks = document.querySelectorAll('[data-map-link]');
  var count = screens.length;
  var firstRender = true;
  var lastAction = null;

  function current() {
    var hash = window.location.hash.replace(/^#/, '');
    if (hash === 'map') return 'map';
    var m = /^screen-(\d+)$/.exec(hash);
    var n = m ? parseInt(m[1], 10) : 1;
    return n >= 1 && n <= count ? n : 1;
  }

  function show() {
    var target = current();
    var active = target === 'map' ? map : screens[target - 1];
    root.setAttribute('data-at', target === 'map' ? 'map' : 'screen-' + target);
    for (var i = 0; i < screens.length; i++) screens[i].classList.toggle('is-active', screens[i] === active);
    map.classList.toggle('is-active', target === 'map');

    for (var j = 0; j < tabLinks.length; j++) {
      var link = tabLinks[j];
      if (String(target) === link.getAttribute('data-screen-link')) {
        link.setAttribute('aria-current', 'page');
        if (link.scrollIntoView && !firstRender) link.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      } else {
        link.removeAttribute('aria-current');
      }
    }
    for (var k = 0; k < mapLinks.length; k++) {
      if (target === 'map') mapLinks[k].setAttribute('aria-current', 'page');
      else mapLinks[k].removeAttribute('aria-current');
    }

    var label = target === 'map' ? 'Screen map' : (names[target - 1] || ('Screen ' + target));
    document.title = label + ' \u2013 ' + baseTitle;

    var flashes = document.querySelectorAll('[data-flash]');
    for (var f = 0; f < flashes.length; f++) flashes[f].textContent = '';
    if (lastAction && active && target !== 'map') {
      var flash = active.querySelector('[data-flash]');
      if (flash) flash.textContent = 'You chose \u201c' + lastAction + '\u201d on the screen before.';
    }
    lastAction = null;

    if (!firstRender && active) {
      // Start each screen at the top and move focus to its heading for screen reader users.
      window.scrollTo(0, 0);
      var heading = active.querySelector('h1');
      if (heading) heading.focus({ preventScroll: true });
    }
    firstRender = false;
  }

  function go(target) {
    window.location.hash = target === 'map' ? '#map' : '#screen-' + target;
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var el = event.target;
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
    var at = current();
    if (event.key === 'ArrowRight') {
      event.preventDefault();
      go(at === 'map' ? 1 : Math.min(count, at + 1));
    } else if (event.key === 'ArrowLeft') {
      event.preventDefault();
      go(at === 'map' ? count : Math.max(1, at - 1));
    }
  });

  // Every button of the mock screens remembers its name, so the next screen can say what was chosen.
  document.addEventListener('click', function (event) {
    var el = event.target.closest ? event.target.closest('[data-action]') : null;
    if (el && el.tagName === 'A') lastAction = el.getAttribute('data-action');
  });

  // Mock forms continue to the next screen (nothing is sent anywhere).
  var forms = document.querySelectorAll('form[data-next]');
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener('submit', function (event) {
      event.preventDefault();
      lastAction = event.currentTarget.getAttribute('data-action');
      go(parseInt(event.currentTarget.getAttribute('data-next'), 10));
    });
  }

  // List screens: the search box and the filter chips narrow the list.
  function filterList(screen) {
    var search = screen.querySelector('[data-list-search]');
    var chip = screen.querySelector('[data-list-filter][aria-pressed="true"]');
    var query = search ? search.value.trim().toLowerCase() : '';
    var wanted = chip ? chip.getAttribute('data-list-filter') : '';
    var rows = screen.querySelectorAll('[data-status]');
    var shown = 0;
    for (var r = 0; r < rows.length; r++) {
      var ok = (!wanted || rows[r].getAttribute('data-status') === wanted) &&
        (!query || rows[r].textContent.toLowerCase().indexOf(query) >= 0);
      rows[r].hidden = !ok;
      if (ok) shown++;
    }
    var empty = screen.querySelector('.m-empty');
    if (empty) empty.hidden = shown > 0;
  }
  for (var s = 0; s < screens.length; s++) {
    (function (screen) {
      var search = screen.querySelector('[data-list-search]');
      if (search) search.addEventListener('input', function () { filterList(screen); });
      var chips = screen.querySelectorAll('[data-list-filter]');
      for (var c = 0; c < chips.length; c++) {
        chips[c].addEventListener('click', function (event) {
          for (var d = 0; d < chips.length; d++) chips[d].setAttribute('aria-pressed', String(chips[d] === event.currentTarget));
          filterList(screen);
        });
      }
    })(screens[s]);
  }

  window.addEventListener('hashchange', show);
  show();
})();
