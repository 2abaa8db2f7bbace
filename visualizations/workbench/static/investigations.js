/* umbrella workbench: saved investigations (save the canvas under a name, list, reopen,
 * duplicate). Loaded after app.js; uses window.umbrellaWorkbench (wb.api, wb.restore,
 * wb.session) and its own words from /api/investigations/strings. Every text reaches the
 * page through textContent; no innerHTML.
 * State for tests: window.umbrellaInvestigations.
 */
(function () {
  "use strict";

  var S = {};
  var inv = {ready: false, list: [], last: null};
  window.umbrellaInvestigations = inv;

  // the page's own helpers (app.js, loaded first)
  var ui = window.umbrellaWorkbench.ui, byId = ui.byId, make = ui.make;
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function say(key, fields) {
    var t = has(S, key) ? String(S[key]) : key;
    fields = fields || {};
    return t.replace(/\{(\w+)\}/g, function (m, name) {
      return has(fields, name) ? String(fields[name]) : m;
    });
  }
  function status(text, isError) {
    var e = byId("wb-status");
    e.textContent = text || "";
    e.classList.toggle("wb-error", Boolean(isError));
  }
  function failed(err) {
    var text = err && err.message ? err.message : String(err);
    if (err && err.hint) { text += " (" + err.hint + ")"; }
    window.umbrellaWorkbench.errors.push(text);
    status(text, true);
  }
  function post(wb, path, body) {
    return wb.api(path, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": wb.session.csrf,
                Accept: "application/json"},
      body: JSON.stringify(body)
    });
  }

  // What is on the canvas now: every node (hidden ones flagged), where vis-network
  // draws it, the date the ties are seen on.
  function canvas(wb) {
    var ids = Object.keys(wb.rec.nodes);
    var drawn = wb.network.getPositions(ids), positions = {};
    ids.forEach(function (id) {
      var p = drawn[id] || wb.rec.pos[id];
      if (p) { positions[id] = {x: Math.round(p.x * 100) / 100, y: Math.round(p.y * 100) / 100}; }
    });
    return {entities: ids, positions: positions,
            hidden: ids.filter(function (id) { return wb.rec.hidden[id]; }),
            as_of: wb.asOf || ""};
  }

  function refresh(wb) {
    return wb.api("/api/investigations").then(function (data) {
      inv.list = data.investigations || [];
      var ul = byId("wb-inv-list");
      while (ul.firstChild) { ul.removeChild(ul.firstChild); }
      if (!inv.list.length) { ul.appendChild(make("li", "wb-inv-none", say("inv.none"))); }
      inv.list.forEach(function (item) {
        var li = make("li", "wb-inv-item");
        li.dataset.name = item.name;
        li.appendChild(make("span", "wb-inv-label", say("inv.item", {
          name: item.name, version: item.version, n: item.n, at: item.saved_at})));
        var open = make("button", "wb-inv-open", say("inv.open"));
        open.type = "button";
        open.addEventListener("click", function () { reopen(wb, item.name); });
        var dup = make("button", "wb-inv-copy", say("inv.copy"));
        dup.type = "button";
        dup.addEventListener("click", function () { duplicate(wb, item.name); });
        li.appendChild(open);
        li.appendChild(dup);
        ul.appendChild(li);
      });
      return inv.list;
    });
  }

  function save(wb) {
    var name = byId("wb-inv-name").value.trim();
    if (!name) { status(say("inv.need_name"), true); return Promise.resolve(null); }
    var body = canvas(wb);
    if (!body.entities.length) { status(say("inv.empty"), true); return Promise.resolve(null); }
    body.name = name;
    body.notes = byId("wb-inv-notes").value;
    return post(wb, "/api/investigation/save", body).then(function (saved) {
      inv.last = saved;
      status(say("inv.saved", {name: saved.name, version: saved.version, n: saved.entities.length}));
      return refresh(wb).then(function () { return saved; });
    }).catch(failed);
  }

  function reopen(wb, name, version) {
    var q = "?name=" + encodeURIComponent(name) + (version ? "&version=" + version : "");
    return wb.api("/api/investigation" + q).then(function (data) {
      var saved = data.investigation;
      wb.restore(data.nodes, data.edges, saved.positions, saved.hidden, saved.as_of);
      byId("wb-inv-name").value = saved.name;
      byId("wb-inv-notes").value = saved.notes || "";
      inv.last = saved;
      if (data.missing && data.missing.length) {
        status(say("inv.missing", {n: data.missing.length, ids: data.missing.join(", ")}), true);
      } else {
        status(say("inv.opened", {name: saved.name, version: saved.version, n: data.nodes.length}));
      }
      return data;
    }).catch(failed);
  }

  function duplicate(wb, name) {
    return post(wb, "/api/investigation/copy", {name: name, new_name: say("inv.copy_name", {name: name})})
      .then(function (saved) {
        inv.last = saved;
        status(say("inv.saved", {name: saved.name, version: saved.version, n: saved.entities.length}));
        return refresh(wb).then(function () { return saved; });
      }).catch(failed);
  }

  function build(wb) {
    var box = byId("wb-investigations");
    box.appendChild(make("h2", "", say("inv.title")));
    var nameLabel = make("label", "", say("inv.name"));
    var name = make("input");
    name.id = "wb-inv-name"; name.type = "text"; name.maxLength = 100; name.autocomplete = "off";
    nameLabel.appendChild(name);
    var notesLabel = make("label", "", say("inv.notes"));
    var notes = make("textarea");
    notes.id = "wb-inv-notes";
    notesLabel.appendChild(notes);
    var button = make("button", "", say("inv.save"));
    button.id = "wb-inv-save"; button.type = "button";
    button.addEventListener("click", function () { save(wb); });
    var list = make("ul", "wb-inv-list");
    list.id = "wb-inv-list";
    [nameLabel, notesLabel, button, list].forEach(function (e) { box.appendChild(e); });
  }

  function start() {
    var wb = window.umbrellaWorkbench;
    if (!wb || !wb.ready) { setTimeout(start, 50); return; }
    wb.api("/api/investigations/strings").then(function (words) {
      S = words || {};
      build(wb);
      inv.save = function () { return save(wb); };
      inv.reopen = function (name, version) { return reopen(wb, name, version); };
      inv.duplicate = function (name) { return duplicate(wb, name); };
      inv.refresh = function () { return refresh(wb); };
      return refresh(wb);
    }).then(function () { inv.ready = true; }).catch(failed);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
