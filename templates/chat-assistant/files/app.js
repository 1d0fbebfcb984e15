/* Chat prototype: scripted replies picked by keywords ("keywords -> reply"),
   conversation kept in this browser (localStorage). */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }
  var botName = cfg.botName || 'Assistant';
  var delay = Math.max(0, Math.min(5000, parseInt(cfg.typingDelay, 10) || 0));

  var store = window.sandboxStorage(cfg.slug);  // storage.js, shared by the templates

  // ---------- rules: "price, cost, plan -> Our plans start at ..." ----------
  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

  function compileKeyword(word) {
    var w = word.trim().toLowerCase();
    if (!w) return null;
    var prefix = /\*$/.test(w);
    w = w.replace(/\*+$/, '');
    if (!w) return null;
    // Whole words (or phrases) only, so "hi" does not match "this". "pric*" matches price, pricing...
    var body = escapeRe(w).replace(/\s+/g, '\\s+');
    return new RegExp('(^|[^\\p{L}\\p{N}])' + body + (prefix ? '' : '(?=$|[^\\p{L}\\p{N}])'), 'u');
  }

  var rules = (cfg.replies || []).map(function (line) {
    var text = String(line);
    var at = text.indexOf('->');
    var sep = 2;
    if (at < 0) { at = text.indexOf('=>'); }
    if (at < 0) { at = text.indexOf(':'); sep = 1; }
    if (at < 0) return null;
    var reply = text.slice(at + sep).trim();
    var words = text.slice(0, at).split(/[,\/|]/).map(compileKeyword).filter(Boolean);
    return reply && words.length ? { words: words, reply: reply } : null;
  }).filter(Boolean);

  function answer(question) {
    var q = ' ' + question.toLowerCase().replace(/[\u2019\u2018]/g, "'") + ' ';
    for (var i = 0; i < rules.length; i++) {
      for (var j = 0; j < rules[i].words.length; j++) {
        if (rules[i].words[j].test(q)) return rules[i].reply;
      }
    }
    return cfg.fallback || 'Sorry, I did not understand that.';
  }

  // ---------- conversation ----------
  var list = document.getElementById('messages');
  var typing = document.getElementById('typing');
  var form = document.getElementById('composer');
  var input = document.getElementById('message');
  var timer = null;

  function history() { return store.list('messages'); }

  function timeLabel(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    try { return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }); } catch (e) { return ''; }
  }

  function bubble(msg) {
    var isUser = msg.role === 'user';
    var row = document.createElement('div');
    row.className = 'msg ' + (isUser ? 'msg-user' : 'msg-bot');
    var who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = (isUser ? 'You' : botName) + ': ';
    var body = document.createElement('div');
    body.className = 'bubble';
    body.appendChild(who);
    body.appendChild(document.createTextNode(msg.text));
    row.appendChild(body);
    var meta = document.createElement('span');
    meta.className = 'msg-meta';
    meta.setAttribute('aria-hidden', 'true');
    meta.textContent = (isUser ? 'You' : botName) + (msg.at ? ' \u00b7 ' + timeLabel(msg.at) : '');
    row.appendChild(meta);
    return row;
  }

  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function add(role, text) {
    var msg = { role: role, text: String(text), at: new Date().toISOString() };
    var h = history();
    h.push(msg);
    store.set('messages', h.slice(-200));
    list.appendChild(bubble(msg));
    scrollDown();
  }

  function setTyping(on) {
    typing.hidden = !on;
    if (on) scrollDown();
  }

  // Bot messages go through a queue so they always appear in order, one "typing" at a time.
  var queue = [];
  var busy = false;

  function botSays(text, instant) {
    queue.push({ text: text, instant: !!instant });
    next();
  }

  function next() {
    if (busy || !queue.length) { if (!busy) setTyping(false); return; }
    busy = true;
    var item = queue.shift();
    if (item.instant || !delay) {
      add('bot', item.text);
      busy = false;
      next();
      return;
    }
    setTyping(true);
    var wait = delay * (1 + Math.min(1, item.text.length / 200)); // longer answers take a little longer
    timer = window.setTimeout(function () {
      busy = false;
      add('bot', item.text);
      next();
    }, wait);
  }

  function send(text) {
    var clean = String(text || '').trim();
    if (!clean) { input.focus(); return; }
    add('user', clean);
    botSays(answer(clean));
  }

  function renderAll() {
    list.textContent = '';
    var h = history();
    h.forEach(function (m) { list.appendChild(bubble(m)); });
    scrollDown();
    return h.length;
  }

  function restart() {
    window.clearTimeout(timer);
    queue = [];
    busy = false;
    setTyping(false);
    store.set('messages', []);
    list.textContent = '';
    botSays(cfg.greeting || 'Hello! How can I help?');
    input.focus();
  }

  // ---------- input ----------
  function autoGrow() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 160) + 'px';
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = '';
    autoGrow();
    send(text);
    input.focus();
  });

  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  });
  input.addEventListener('input', autoGrow);

  var suggestions = document.getElementById('suggestions');
  if (suggestions) {
    suggestions.addEventListener('click', function (e) {
      var btn = e.target.closest ? e.target.closest('[data-suggestion]') : null;
      if (!btn) return;
      send(btn.getAttribute('data-suggestion'));
      input.focus();
    });
  }

  document.getElementById('restart').addEventListener('click', function () {
    if (history().length > 1 && !window.confirm('Start a new conversation? The current one will be cleared.')) return;
    restart();
  });

  if (!renderAll()) botSays(cfg.greeting || 'Hello! How can I help?', true);
})();
