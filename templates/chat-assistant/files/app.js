/* Chat prototype: scripted replies picked by keywords, conversation kept in this browser
   (localStorage) and exported or imported as a CSV transcript.

   How a reply is picked (the rules come from the template's "keywords -> reply" list):
   - a keyword matches a whole word or phrase of the message, ignoring case ("log in");
   - a keyword of four letters or more also matches its usual endings: "refund" matches
     refunds, refunded, refunding; a keyword ending in * matches any ending ("pric*": price, pricing);
   - the rule whose keywords match the most words wins; on a tie, the rule whose match comes
     first in the message ("refund on last month's invoice" is about a refund); then the earlier rule;
   - when nothing matches, the fallback names the topics the rules cover (each rule's first keyword). */
(function () {
  'use strict';

  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('sandbox-config').textContent) || {}; } catch (e) { cfg = {}; }
  var botName = cfg.botName || 'Assistant';
  var delay = Math.max(0, Math.min(5000, parseInt(cfg.typingDelay, 10) || 0));

  var store = window.sandboxStorage(cfg.slug);  // storage.js, shared by the templates
  var csv = window.sandboxCsv;                  // csv.js
  var helpers = window.sandboxHelpers;          // helpers.js

  // ---------- matching ----------
  var ENDINGS = ['s', 'es', 'ed', 'd', 'ing', 'er', 'ers'];

  function tokens(text) {
    return String(text).toLowerCase().replace(/[\u2019\u2018]/g, "'").match(/[\p{L}\p{N}']+/gu) || [];
  }

  function wordMatches(keyword, word, last, prefix) {
    if (last && prefix) return word.indexOf(keyword) === 0;
    if (word === keyword) return true;
    if (keyword.length < 4 || word.indexOf(keyword.replace(/e$/, '')) !== 0) return false;
    var stem = word.indexOf(keyword) === 0 ? keyword : keyword.replace(/e$/, '');
    return ENDINGS.indexOf(word.slice(stem.length)) >= 0;
  }

  var rules = (cfg.rules || []).map(function (rule) {
    return {
      reply: rule.reply,
      keywords: rule.keywords.map(function (k) {
        var prefix = /\*$/.test(k);
        return { words: tokens(k.replace(/\*+$/, '')), prefix: prefix };
      }).filter(function (k) { return k.words.length; })
    };
  });

  function firstMatch(keyword, words) {
    for (var i = 0; i + keyword.words.length <= words.length; i++) {
      var ok = true;
      for (var j = 0; j < keyword.words.length && ok; j++) {
        ok = wordMatches(keyword.words[j], words[i + j], j === keyword.words.length - 1, keyword.prefix);
      }
      if (ok) return i;
    }
    return -1;
  }

  function answer(question) {
    var words = tokens(question);
    var best = null;
    rules.forEach(function (rule, order) {
      var score = 0, at = Infinity;
      rule.keywords.forEach(function (keyword) {
        var i = firstMatch(keyword, words);
        if (i < 0) return;
        score += keyword.words.length;
        at = Math.min(at, i);
      });
      if (!score) return;
      if (!best || score > best.score || (score === best.score && at < best.at)) best = { score: score, at: at, rule: rule, order: order };
    });
    return best ? best.rule.reply : (cfg.fallback || 'Sorry, I did not understand that.');
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
    if (history().length <= 1) { restart(); return; }
    helpers.confirm('Start a new conversation?', 'The current conversation will be cleared. Export it first to keep it.', 'Restart', restart);
  });

  // ---------- transcript as CSV ----------
  document.getElementById('export-chat').addEventListener('click', function () {
    var rows = [['Time', 'From', 'Message']].concat(history().map(function (m) {
      return [m.at || '', m.role === 'user' ? 'You' : botName, m.text];
    }));
    csv.download((cfg.slug || 'chat') + '-conversation-' + new Date().toISOString().slice(0, 10) + '.csv', csv.format(rows));
  });

  document.getElementById('import-chat').addEventListener('click', function () {
    csv.choose(function (text, name) {
      var table = csv.parse(text);
      var header = table ? table.header.map(function (c) { return c.toLowerCase(); }) : [];
      var from = header.indexOf('from'), message = header.indexOf('message'), time = header.indexOf('time');
      if (from < 0 || message < 0) {
        botSays(name + ' is not a conversation: it needs the columns From and Message (as Export CSV writes them).', true);
        return;
      }
      var messages = table.rows.map(function (r) {
        return { role: helpers.trim(r[from]) === 'You' ? 'user' : 'bot', text: csv.unguard(r[message]), at: time >= 0 ? helpers.trim(r[time]) : '' };
      }).filter(function (m) { return helpers.trim(m.text); });
      window.clearTimeout(timer);
      queue = [];
      busy = false;
      setTyping(false);
      store.set('messages', messages);
      renderAll();
    });
  });

  if (!renderAll()) botSays(cfg.greeting || 'Hello! How can I help?', true);
})();
