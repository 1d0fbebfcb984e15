/* The reviewer panel ("About this prototype"): the idea, audience and success goal, for the people
   reviewing the prototype, not for everyone it is shown to. It is a popover, hidden until the
   About button is pressed (that works without this script) or the ? key; Escape closes it.
   `sandbox share` leaves the panel, its button and this script out unless asked to keep them. */
(function () {
  'use strict';

  var panel = document.getElementById('sandbox-about');
  if (!panel || typeof panel.togglePopover !== 'function') return;

  document.addEventListener('keydown', function (event) {
    if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey) return;
    var el = event.target;
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
    event.preventDefault();
    panel.togglePopover();
  });

  panel.addEventListener('toggle', function (event) {
    if (event.newState !== 'open') return;
    var close = panel.querySelector('[data-about-close]');
    if (close) close.focus();
  });
})();
