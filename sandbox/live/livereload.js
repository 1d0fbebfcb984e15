/* Prototype Sandbox live reload: injected by the preview server into HTML it serves (never on disk).
 *
 * Listens on the server's Server-Sent Events channel (with the per-server token from this tag):
 *   reload          -> reload the page
 *   css             -> swap the changed stylesheets in place (no reload: scroll and form state stay)
 *   sandbox-error   -> show an overlay with the project.yaml problem (message, line) until fixed
 *   sandbox-clear   -> remove the overlay
 * A stream refused after it had been open (the preview restarted with a new token) reloads the page once.
 * State for tests and curious people: window.__sandboxLiveReload = {state, reloads, swaps}.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var token = script && script.getAttribute("data-sandbox-token");
  if (!token || !window.EventSource || window.__sandboxLiveReload) return;
  var live = (window.__sandboxLiveReload = { state: "connecting", swaps: 0, error: null });
  var OVERLAY = "sandbox-error-overlay";

  function sameOrigin(href) {
    try {
      var url = new URL(href, location.href);
      return url.origin === location.origin ? url : null;
    } catch (e) {
      return null;
    }
  }

  function swapStylesheets(paths) {
    var links = Array.prototype.slice.call(document.querySelectorAll('link[rel~="stylesheet"]'));
    var local = links.filter(function (link) { return sameOrigin(link.href); });
    var matched = local.filter(function (link) { return paths.indexOf(sameOrigin(link.href).pathname) >= 0; });
    if (!matched.length) matched = local; // an @import-ed file changed: refresh every local sheet
    if (!matched.length) { location.reload(); return; }
    var stamp = String(Date.now());
    matched.forEach(function (link) {
      var url = sameOrigin(link.href);
      url.searchParams.set("sandbox-v", stamp);
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      // Keep the old sheet until the new one is in, so the page never flashes unstyled.
      fresh.onload = fresh.onerror = function () { if (link.parentNode) link.parentNode.removeChild(link); };
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
    live.swaps += 1;
  }

  function hideError() {
    var old = document.querySelector(OVERLAY);
    if (old) old.parentNode.removeChild(old);
    live.error = null;
  }

  function showError(err) {
    hideError();
    live.error = err;
    var host = document.createElement(OVERLAY);
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent =
      ":host{all:initial}" +
      ".backdrop{position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.66);display:flex;" +
      "align-items:flex-start;justify-content:center;padding:8vh 16px;font:15px/1.5 system-ui,sans-serif}" +
      ".panel{max-width:760px;width:100%;background:#1b1b1f;color:#f4f4f5;border-top:6px solid #ef4444;" +
      "border-radius:8px;padding:20px 24px;box-shadow:0 10px 40px rgba(0,0,0,.5)}" +
      "h2{margin:0 0 8px;font-size:18px;color:#fca5a5}" +
      "pre{white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;margin:8px 0;color:#fde68a}" +
      "p{margin:12px 0 0;color:#d4d4d8}button{margin-top:14px;font:inherit;padding:4px 12px;cursor:pointer}";
    var backdrop = document.createElement("div");
    backdrop.className = "backdrop";
    var panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("role", "alertdialog");
    panel.setAttribute("aria-live", "assertive");
    var title = document.createElement("h2");
    title.textContent = (err.path || "project.yaml") + " has a problem";
    var where = document.createElement("pre");
    where.className = "where";
    var place = [];
    if (err.line) place.push("line " + err.line);
    if (err.column) place.push("column " + err.column);
    where.textContent = (err.path || "") + (place.length ? " (" + place.join(", ") + ")" : "");
    var message = document.createElement("pre");
    message.className = "message";
    message.textContent = err.message || err.text || "";
    var hint = document.createElement("p");
    hint.textContent = "Fix it and save: this page updates by itself. Underneath is the last version that worked.";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    close.onclick = function () { host.style.display = "none"; };
    panel.appendChild(title);
    panel.appendChild(where);
    panel.appendChild(message);
    panel.appendChild(hint);
    panel.appendChild(close);
    backdrop.appendChild(panel);
    root.appendChild(style);
    root.appendChild(backdrop);
    document.documentElement.appendChild(host);
  }

  function data(event) {
    try { return JSON.parse(event.data) || {}; } catch (e) { return {}; }
  }

  // "since": the change this page was served after; the server replies with a reload at once if
  // a change happened meanwhile (while this page was loading, its predecessor's stream was gone).
  var since = script.getAttribute("data-sandbox-version") || "";
  var source = new EventSource("/__sandbox/events?token=" + encodeURIComponent(token) + "&since=" + encodeURIComponent(since));
  // A stream that was open and is then refused for good means the preview was restarted (same
  // port, new token: `sandbox preview --port N` again): reload once to get the new token, or this
  // tab would never update again. A page whose very first stream is refused does not reload, so
  // a refusal can never turn into a reload loop.
  var wasOpen = false;
  source.onopen = function () { live.state = "open"; wasOpen = true; };
  source.onerror = function () {
    live.state = source.readyState === 2 ? "closed" : "reconnecting";
    if (source.readyState === 2 && wasOpen) { live.state = "restarting"; location.reload(); }
  };
  source.addEventListener("reload", function () { live.state = "reloading"; source.close(); location.reload(); });
  source.addEventListener("css", function (event) { swapStylesheets(data(event).paths || []); });
  source.addEventListener("sandbox-error", function (event) { showError(data(event)); });
  source.addEventListener("sandbox-clear", hideError);
  window.addEventListener("pagehide", function () { source.close(); });
})();
