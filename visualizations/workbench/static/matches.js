/* umbrella workbench: the match review tab (records that may be one person or company).
 *
 * Adds a "Matches" tab beside Canvas and Leads: the queue of candidate pairs from
 * GET /api/matches, and same / different / unsure buttons on each pair that POST
 * /api/matches/decide (with the session's CSRF header). Every text reaches the page
 * through textContent; no innerHTML, no inline script or style.
 * State for tests: window.umbrellaMatches.
 */
(function () {
  "use strict";

  var M = {ready: false, rows: [], strings: {}, errors: [], last: null, busy: 0};
  window.umbrellaMatches = M;
  var csrf = null;

  // the page's own helpers (app.js, loaded first)
  var ui = window.umbrellaWorkbench.ui, byId = ui.byId, make = ui.make, clear = ui.clear;
  function word(key) { return Object.prototype.hasOwnProperty.call(M.strings, key) ? String(M.strings[key]) : key; }
  function fill(text, fields) {
    return String(text).replace(/\{(\w+)\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : m;
    });
  }
  function call(path, options) {
    M.busy += 1;
    return fetch(path, options || {credentials: "same-origin"}).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error((body && body.error) || String(r.status)); }
        return body;
      });
    }).finally(function () { M.busy -= 1; });
  }
  function failed(err) {
    M.errors.push(String(err && err.message || err));
    var out = byId("wb-matches-status");
    if (out) { out.textContent = String(err && err.message || err); }
  }

  var view = null;
  var tab = null;

  function build() {
    var nav = document.querySelector(".wb-tabs");
    var main = document.querySelector(".wb-main");
    var side = document.querySelector(".wb-side");
    if (!nav || !main) { return false; }
    tab = make("button", null, "Matches");
    tab.id = "wb-tab-matches";
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", "false");
    nav.appendChild(tab);
    view = make("section", "wb-view");
    view.id = "wb-matches-view";
    view.hidden = true;
    var title = make("h2", null, "");
    title.id = "wb-matches-title";
    var note = make("p", "wb-count", "");
    note.id = "wb-matches-note";
    var wrap = make("div", "wb-table-wrap");
    var table = make("table", "wb-leads");
    table.id = "wb-matches";
    table.appendChild(make("thead"));
    table.appendChild(make("tbody"));
    wrap.appendChild(table);
    var status = make("p", "wb-count", "");
    status.id = "wb-matches-status";
    status.setAttribute("role", "status");
    view.appendChild(title);
    view.appendChild(note);
    view.appendChild(wrap);
    view.appendChild(status);
    main.insertBefore(view, side);
    tab.addEventListener("click", show);
    return true;
  }

  function show() {
    window.umbrellaWorkbench.showTab("matches");
    return load();
  }
  M.show = show;

  function heads() {
    var row = make("tr");
    ["pair", "score", "names", "reasons", "decision", "note"].forEach(function (k) {
      row.appendChild(make("th", null, word(k)));
    });
    row.appendChild(make("th", null, ""));
    return row;
  }

  function decisionText(p) {
    var said = p.decision_word || "";
    if (p.merged) { said = said ? said + " · " + word("merged") : word("merged"); }
    return said;
  }

  function line(p) {
    var tr = make("tr");
    tr.dataset.pair = p.pair;
    tr.appendChild(make("td", null, p.pair));
    tr.appendChild(make("td", null, Number(p.score).toFixed(2)));
    tr.appendChild(make("td", null, p.names.join(" / ")));
    tr.appendChild(make("td", null, p.reasons));
    var said = make("td", "wb-match-decision", decisionText(p));
    tr.appendChild(said);
    var noteCell = make("td");
    var input = make("input");
    input.type = "text";
    input.size = 14;
    input.value = p.note || "";
    input.setAttribute("aria-label", word("note"));
    noteCell.appendChild(input);
    tr.appendChild(noteCell);
    var buttons = make("td");
    ["same", "different", "unsure"].forEach(function (d) {
      var b = make("button", "wb-match-" + d, word("decide." + d));
      b.type = "button";
      b.dataset.decision = d;
      b.addEventListener("click", function () { decide(p, d, input.value, said); });
      buttons.appendChild(b);
    });
    tr.appendChild(buttons);
    return tr;
  }

  function render() {
    byId("wb-matches-title").textContent = word("title");
    byId("wb-matches-note").textContent = word("apply");
    tab.textContent = word("tab");
    var table = byId("wb-matches");
    var thead = table.tHead;
    clear(thead);
    thead.appendChild(heads());
    var body = table.tBodies[0];
    clear(body);
    M.rows.forEach(function (p) { body.appendChild(line(p)); });
    if (!M.rows.length) { byId("wb-matches-status").textContent = word("empty"); }
  }

  function load() {
    return call("/api/matches").then(function (data) {
      M.rows = data.pairs || [];
      M.strings = data.strings || {};
      render();
      return M.rows;
    }).catch(failed);
  }
  M.load = load;

  function decide(p, decision, note, cell) {
    var options = {
      method: "POST", credentials: "same-origin",
      headers: {"content-type": "application/json", "x-csrf-token": csrf || ""},
      body: JSON.stringify({pair: p.pair, decision: decision, note: note})
    };
    return call("/api/matches/decide", options).then(function (data) {
      var kept = data.decision;
      p.decision = kept.decision;
      p.decision_word = word("decide." + kept.decision);
      p.note = kept.note;
      cell.textContent = decisionText(p);
      M.last = kept;
      byId("wb-matches-status").textContent = fill(word("saved"), {
        pair: kept.pair, decision: p.decision_word, author: kept.author});
      return kept;
    }).catch(failed);
  }
  M.decide = function (pair, decision, note) {
    var p = M.rows.filter(function (r) { return r.pair === pair; })[0];
    var tr = document.querySelector('tr[data-pair="' + pair + '"]');
    return decide(p, decision, note || "", tr.querySelector(".wb-match-decision"));
  };

  function start() {
    if (!build()) { return; }
    call("/api/session").then(function (s) {
      csrf = s.csrf;
      return call("/api/matches/words");
    }).then(function (strings) {
      M.strings = strings || {};
      tab.textContent = word("tab");
      M.ready = true;
    }).catch(failed);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
