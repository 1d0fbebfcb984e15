/* The side-by-side page (served by sandbox.live.arena_page; never opened from disk).
 *
 * Loads the two blind previews into the frames, applies one width to both, and posts the vote with
 * the page's token (read from the script tag the server injects: other origins cannot read it).
 * A vote cast in the app arrives as a "voted" event on the preview's event channel.
 * For tests: window.__sandboxArena = {ready, result, width}.
 */
(function () {
  "use strict";
  var tag = document.querySelector("script[data-sandbox-token]");
  var token = tag ? tag.getAttribute("data-sandbox-token") : "";
  var arena = (window.__sandboxArena = { ready: false, result: null, width: "desktop" });
  var main = document.getElementById("arena");
  var form = document.getElementById("vote");
  var message = document.getElementById("message");

  function say(text, isError) {
    message.textContent = text;
    message.className = isError ? "error" : "";
  }

  function setWidth(width) {
    main.setAttribute("data-width", width);
    arena.width = width;
    Array.prototype.forEach.call(document.querySelectorAll(".widths button"), function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-width") === width));
    });
  }

  function option(value, text) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = text;
    return element;
  }

  function rubric(criteria) {
    var body = document.querySelector("#rubric tbody");
    criteria.forEach(function (criterion) {
      var row = document.createElement("tr");
      var name = document.createElement("th");
      name.scope = "row";
      name.textContent = criterion.label;
      name.title = criterion.hint || "";
      row.appendChild(name);
      ["A", "B"].forEach(function (side) {
        var cell = document.createElement("td");
        var select = document.createElement("select");
        select.name = side + ":" + criterion.id;
        select.setAttribute("aria-label", criterion.label + ", prototype " + side);
        select.appendChild(option("", "-"));
        for (var n = 1; n <= 5; n += 1) select.appendChild(option(String(n), String(n)));
        cell.appendChild(select);
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
  }

  function showResult(result) {
    arena.result = result;
    Array.prototype.forEach.call(form.querySelectorAll("button, select, textarea"), function (control) {
      control.disabled = true;
      if (control.value === result.winner && control.name === "winner") control.className += " chosen";
    });
    say(result.reveal, false);
    message.className = "revealed";
  }

  function scores() {
    var out = { A: {}, B: {} };
    Array.prototype.forEach.call(form.querySelectorAll("#rubric select"), function (select) {
      if (!select.value) return;
      var parts = select.name.split(":");
      out[parts[0]][parts[1]] = select.value;
    });
    return out;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (!button || arena.result || arena.asking) return;
    var reason = document.getElementById("reason");
    if (!reason.value.trim() && !form.getAttribute("data-asked")) {
      form.setAttribute("data-asked", "1"); // asked once; a second click votes without a reason
      say("Why? A few words help the report. Vote again to send it without a reason.", false);
      reason.focus();
      return;
    }
    if (arena.askGuess && !arena.asking) {
      askGuess(button.value, reason.value);
      return;
    }
    send(button.value, reason.value, null);
  });

  // The blinding check: after the vote and its reason, before the reveal; "Skip" sends no guess.
  // The names are fetched only now, once the rater has chosen: none is in the page before.
  function askGuess(winner, reason) {
    arena.asking = true;
    fetch("/__sandbox/guess.json")
      .then(function (response) { return response.json(); })
      .then(function (data) { showGuess(winner, reason, data.guess || []); })
      .catch(function () { arena.asking = false; send(winner, reason, null); });
  }

  function showGuess(winner, reason, options) {
    var box = document.getElementById("guess-box");
    var choices = document.getElementById("guess-choices");
    choices.textContent = "";
    var answers = options.map(function (c) { return [c.id, c.label]; });
    answers.push(["unsure", "Not sure"], [null, "Skip"]);
    answers.forEach(function (answer) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = answer[1];
      element.setAttribute("data-guess", answer[0] === null ? "" : answer[0]);
      element.addEventListener("click", function () {
        box.hidden = true;
        send(winner, reason, answer[0]);
      });
      choices.appendChild(element);
    });
    Array.prototype.forEach.call(form.querySelectorAll("button[name=winner]"), function (control) {
      control.disabled = true;
    });
    box.hidden = false;
    say("", false);
    choices.firstChild.focus();
  }

  function send(winner, reason, guess) {
    say("Recording your vote...", false);
    var vote = { winner: winner, reason: reason, scores: scores() };
    if (guess) vote.guess = guess;
    fetch("/__sandbox/vote", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Sandbox-Token": token },
      body: JSON.stringify(vote),
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (answer) {
        if (answer.ok) showResult(answer.data);
        else refused(answer.data.error || "the sandbox refused the vote");
      })
      .catch(function () { refused("the sandbox is not answering (is the app still open?)"); });
  }

  function refused(why) {
    arena.asking = false;
    Array.prototype.forEach.call(form.querySelectorAll("button[name=winner]"), function (control) {
      control.disabled = false;
    });
    say("Not recorded: " + why, true);
  }

  Array.prototype.forEach.call(document.querySelectorAll(".widths button"), function (button) {
    button.addEventListener("click", function () { setWidth(button.getAttribute("data-width")); });
  });

  function load() {
    return fetch("/__sandbox/arena.json")
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.title) document.getElementById("title").textContent = state.title + ": which prototype is better?";
        if (!arena.ready) {
          document.getElementById("frame-a").src = state.frames.A;
          document.getElementById("frame-b").src = state.frames.B;
          rubric(state.criteria || []);
        }
        arena.ready = true;
        arena.askGuess = !!state.ask_guess;
        if (state.result && !arena.result) showResult(state.result);
      });
  }

  load().then(function () {
    if (!token || !window.EventSource) return;
    var events = new EventSource("/__sandbox/events?token=" + encodeURIComponent(token));
    events.addEventListener("voted", function (event) {
      if (!arena.result) showResult(JSON.parse(event.data));
    });
    events.addEventListener("open", function () { load(); }); // a vote may have come while we were away
  });
})();
