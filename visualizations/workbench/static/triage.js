/* umbrella workbench: triage of leads (status, assignee, notes, history), the status
 * filter of the leads table and the list of leads no longer found.
 *
 * Loaded after app.js; works through its hooks (umbrellaWorkbench.hooks) and helpers
 * (umbrellaWorkbench.ui). Reads GET /api/triage/ID and GET /api/triage?status=..., writes
 * POST /api/triage/ID with the X-CSRF-Token header. Every text reaches the page through
 * textContent; there is no innerHTML. State for tests: umbrellaWorkbench.triage.
 */
(function () {
  "use strict";

  var wb = window.umbrellaWorkbench;
  var ui = wb.ui;
  var make = ui.make, say = ui.say, byId = ui.byId;
  var tri = {open: null, book: null, gone: [], last: null};
  wb.triage = tri;

  function word(code) { return ui.word("status", code); }
  function when(at) { return at ? String(at).replace("T", " ").replace(/Z$/, "") + " UTC" : ""; }

  // ---------------------------------------------------------------- the server
  function load(fid) {
    return ui.api("/api/triage/" + ui.enc(fid));
  }
  function send(fid, payload) {
    return ui.api("/api/triage/" + ui.enc(fid), {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": wb.session.csrf,
                Accept: "application/json"},
      body: JSON.stringify(payload)
    });
  }

  // ---------------------------------------------------------------- the panel
  function statusLine(book) {
    var c = book.current;
    if (!c) { return say("triage.never"); }
    return c.assignee ? say("triage.assigned", {status: word(c.status), assignee: c.assignee})
      : say("triage.current", {status: word(c.status)});
  }
  function historyList(book) {
    var list = make("ol", "wb-triage-history");
    list.id = "wb-triage-history";
    (book.history || []).forEach(function (e) {
      var li = make("li");
      li.dataset.status = e.status;
      li.appendChild(make("span", "wb-date", say("triage.entry",
        {at: when(e.at), author: e.author, status: word(e.status)})));
      if (e.assignee) { li.appendChild(make("span", "wb-muted", " " + say("triage.entry_assignee", {assignee: e.assignee}))); }
      if (e.reason) { li.appendChild(make("p", "wb-triage-reason", say("triage.entry_reason", {reason: e.reason}))); }
      if (e.note) { li.appendChild(make("blockquote", "wb-quote", e.note)); }
      list.appendChild(li);
    });
    return list;
  }
  function field(label, input) {
    var l = make("label", "wb-triage-field");
    l.appendChild(make("span", null, label));
    l.appendChild(input);
    return l;
  }
  function render(box, book) {
    ui.clear(box);
    tri.book = book;
    box.appendChild(make("h4", null, say("triage.title")));
    if (!book.found) { box.appendChild(make("p", "wb-triage-gone", say("triage.gone_one"))); }
    var now = make("p", "wb-triage-now", statusLine(book));
    now.id = "wb-triage-now";
    box.appendChild(now);

    var current = book.current ? book.current.status : "new";
    var buttons = make("div", "wb-triage-buttons");
    buttons.setAttribute("role", "group");
    buttons.setAttribute("aria-label", say("triage.set"));
    (book.statuses || []).forEach(function (s) {
      var b = make("button", "wb-triage-status", s.word);
      b.type = "button";
      b.dataset.status = s.code;
      b.setAttribute("aria-pressed", String(s.code === current));
      b.addEventListener("click", function () { choose(book.finding, s.code); });
      buttons.appendChild(b);
    });
    box.appendChild(buttons);

    var reason = make("input");
    reason.id = "wb-triage-reason";
    reason.autocomplete = "off";
    var dismiss = make("button", null, say("triage.dismiss"));
    dismiss.id = "wb-triage-dismiss";
    dismiss.type = "button";
    dismiss.addEventListener("click", function () { choose(book.finding, "dismissed", true); });
    var ask = make("div", "wb-triage-ask");
    ask.id = "wb-triage-ask";
    ask.hidden = true;
    ask.appendChild(field(say("triage.reason"), reason));
    ask.appendChild(dismiss);
    box.appendChild(ask);

    var assignee = make("input");
    assignee.id = "wb-triage-assignee";
    assignee.autocomplete = "off";
    assignee.value = book.current ? book.current.assignee : "";
    box.appendChild(field(say("triage.assignee"), assignee));
    var note = make("textarea");
    note.id = "wb-triage-note";
    note.rows = 3;
    box.appendChild(field(say("triage.note"), note));
    var save = make("button", null, say("triage.save"));
    save.id = "wb-triage-save";
    save.type = "button";
    save.addEventListener("click", function () { saveNote(book.finding); });
    box.appendChild(save);
    box.appendChild(make("p", "wb-muted", say("triage.user", {user: book.user})));

    box.appendChild(make("h4", null, say("triage.history")));
    if (!(book.history || []).length) { box.appendChild(make("p", "wb-muted", say("triage.history_none"))); }
    box.appendChild(historyList(book));
  }
  function values() {
    return {assignee: byId("wb-triage-assignee").value.trim(), note: byId("wb-triage-note").value};
  }
  function written(done) {
    var e = done.entry;
    tri.last = e;
    var box = byId("wb-triage");
    if (box && tri.open === done.finding) { render(box, done); }
    ui.status(say("triage.saved", {id: done.finding, status: word(e.status), author: e.author}));
    var row = document.querySelector("#wb-leads tbody tr[data-id=\"" + CSS.escape(done.finding) + "\"]");
    if (row) {  // the leads table shows the new status at once
      row.dataset.status = e.status;
      row.cells[row.cells.length - 2].textContent = word(e.status);
    }
    if (!done.found) { loadGone(); }
    return done;
  }
  function choose(fid, code, confirmed) {
    var v = values(), payload = {status: code, assignee: v.assignee, note: v.note};
    if (code === "dismissed") {
      var ask = byId("wb-triage-ask"), reason = byId("wb-triage-reason");
      if (!confirmed) {
        ask.hidden = false;
        reason.focus();
        return Promise.resolve(null);
      }
      if (!reason.value.trim()) {
        ui.status(say("triage.need_reason"), true);
        reason.focus();
        return Promise.resolve(null);
      }
      payload.reason = reason.value.trim();
    }
    return send(fid, payload).then(written).catch(ui.failed);
  }
  function saveNote(fid) {
    var v = values(), was = tri.book && tri.book.current ? tri.book.current.assignee : "";
    if (!v.note.trim() && v.assignee === was) {
      ui.status(say("triage.nothing"), true);
      return Promise.resolve(null);
    }
    return send(fid, {assignee: v.assignee, note: v.note}).then(written).catch(ui.failed);
  }
  function open(fid, into) {
    var box = make("section", "wb-triage");
    box.id = "wb-triage";
    into.appendChild(box);
    tri.open = String(fid);
    return load(fid).then(function (book) {
      if (tri.open !== String(fid) || !box.isConnected) { return null; }
      render(box, book);
      return book;
    }).catch(ui.failed);
  }

  // ---------------------------------------------------------------- no longer found
  function showGone(e) {
    var body = byId("wb-panel-body");
    byId("wb-panel-empty").hidden = true;
    ui.clear(body);
    body.appendChild(make("h3", null, e.title || e.finding));
    body.appendChild(make("p", "wb-muted", [e.finding, e.rule].filter(Boolean).join(" · ")));
    return open(e.finding, body);
  }
  function loadGone() {
    var status = byId("wb-f-status").value;
    return ui.api("/api/triage" + ui.query({status: status})).then(function (data) {
      var box = byId("wb-gone"), list = data.no_longer_found || [];
      tri.gone = list;
      ui.clear(box);
      box.hidden = list.length === 0;
      if (!list.length) { return data; }
      box.appendChild(make("h3", null, say("triage.gone_title", {n: list.length})));
      box.appendChild(make("p", "wb-muted", say("triage.gone_help")));
      var table = make("table", "wb-leads"), head = make("tr"), tbody = make("tbody");
      [say("triage.col.status"), say("leads.col.rule"), say("leads.col.title"),
       say("triage.col.last"), say("leads.col.id")].forEach(function (t) {
        head.appendChild(make("th", null, t));
      });
      var thead = make("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      list.forEach(function (e) {
        var tr = make("tr");
        tr.dataset.id = e.finding;
        tr.dataset.status = e.status;
        [word(e.status), e.rule, e.title, when(e.at) + " · " + e.author, e.finding].forEach(function (v) {
          tr.appendChild(make("td", null, v));
        });
        tr.addEventListener("click", function () { showGone(e); });
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      table.id = "wb-gone-table";
      box.appendChild(table);
      return data;
    }).catch(ui.failed);
  }

  // ---------------------------------------------------------------- wiring
  function ready() {
    var select = byId("wb-f-status");
    ui.clear(select);
    var any = make("option", null, say("leads.any"));
    any.value = "";
    select.appendChild(any);
    (wb.session && wb.session.statuses ? wb.session.statuses : ["new", "in_review", "confirmed", "dismissed", "needs_data"])
      .forEach(function (code) {
        var o = make("option", null, word(code));
        o.value = code;
        select.appendChild(o);
      });
  }
  wb.hooks.ready.push(ready);
  wb.hooks.finding.push(function (f, body) { if (f && f.id) { open(f.id, body); } });
  wb.hooks.leads.push(function () { loadGone(); });
  if (wb.ready) { ready(); }

  tri.load = load;
  tri.choose = choose;
  tri.saveNote = saveNote;
  tri.loadGone = loadGone;
  tri.showGone = showGone;
}());
