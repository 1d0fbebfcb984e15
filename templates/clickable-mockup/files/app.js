/* Clickable mockup: shows one screen at a time, driven by the address (#screen-2, #map),
   so the browser Back button and shared links work. Without JavaScript all screens are listed. */
(function () {
  'use strict';

  var root = document.documentElement;
  root.classList.add('js');

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

  function current() {
    var hash = window.location.hash.replace(/^#/, '');
    if (hash === 'map') return 'map';
    var m = /^screen-(\d+)$/.exec(hash);
    var n = m ? parseInt(m[1], 10) : 1;
    return n >= 1 && n <= count ? n : 1;
  }

  function show() {
    var target = current();
    var active = null;
    for (var i = 0; i < screens.length; i++) {
      var on = target === i + 1;
      screens[i].classList.toggle('is-active', on);
      if (on) active = screens[i];
    }
    map.classList.toggle('is-active', target === 'map');
    if (target === 'map') active = map;

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

  window.addEventListener('hashchange', show);
  show();
})();
