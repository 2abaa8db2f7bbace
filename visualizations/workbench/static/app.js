/* umbrella workbench: the page's own script (no build step, no CDN, no eval).
 *
 * Talks only to the server it came from (/api/...). Every text from the data or the
 * catalog reaches the page through textContent or a DOM element built with it; there is
 * no innerHTML anywhere. Layout: physics is off, a new node is placed once (on an arc
 * round the node it came from) and placed nodes never move unless dragged; "Tidy
 * unpinned" runs the physics once with pinned nodes fixed.
 * State for tests and the curious: window.umbrellaWorkbench.
 */
(function () {
  "use strict";

  // Colours and shapes as visualizations/style.py declares them (a test checks they agree).
  var KIND_STYLE = {
    person: ["#4e79a7", "dot"], organization: ["#f28e2b", "square"],
    contract: ["#59a14f", "triangle"], payment: ["#76b7b2", "diamond"],
    "case": ["#e15759", "star"], report: ["#b07aa1", "triangleDown"]
  };
  var OTHER_NODE = ["#9c9c9c", "dot"];
  var TYPE_STYLE = {
    KIN: ["#d62728", [], 2.5], ASSOCIATE: ["#9467bd", [6, 4], 2.0],
    HOLDS_POST: ["#1f77b4", [], 1.5], COMPANY_ROLE: ["#ff7f0e", [], 2.0],
    PART_OF: ["#a0a0a0", [2, 4], 1.0], BOUGHT: ["#2ca02c", [8, 3], 1.5],
    APPROVED: ["#bcbd22", [], 2.0], AWARDED_TO: ["#2ca02c", [], 2.0],
    BID: ["#98df8a", [3, 3], 1.5], PAID: ["#17becf", [8, 3], 1.5],
    PAID_TO: ["#17becf", [], 2.0], CASE_ROLE: ["#8c564b", [10, 4], 2.0],
    REPORTED: ["#e377c2", [1, 4], 1.5]
  };
  var OTHER_EDGE = ["#7f7f7f", [4, 4], 1.0];
  var HIGHLIGHT = "#111111";
  var PAGE = 25;
  var MORE = "more:";
  var DAY = 86400000;

  var S = {};
  var wb = {
    ready: false, session: null, network: null, nodes: null, edges: null,
    rec: {nodes: {}, edges: {}, pos: {}, more: {}, expanded: {}, hidden: {}, pinned: {},
          evidence: {nodes: {}, edges: {}}, path: {edges: {}}},
    hiddenTypes: {}, asOf: null, undoStack: [], errors: [], busy: 0, lastExport: null,
    pathEnds: {from: null, to: null}, leadsOffset: 0, panelId: null, settling: false
  };
  window.umbrellaWorkbench = wb;
  // hooks other scripts of the page (triage.js) add to: ready(), finding(f, body), leads(data)
  wb.hooks = {ready: [], finding: [], leads: []};
  function fire(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    wb.hooks[name].forEach(function (h) { h.apply(null, args); });
  }

  // ---------------------------------------------------------------- small helpers
  function byId(id) { return document.getElementById(id); }
  function make(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } }
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function keys(o) { return Object.keys(o); }
  function say(key, fields) {
    var t = has(S, key) ? String(S[key]) : key;
    fields = fields || {};
    return t.replace(/\{(\w+)\}/g, function (m, name) {
      return has(fields, name) ? String(fields[name]) : m;
    });
  }
  function word(prefix, code) {
    return has(S, prefix + "." + code) ? S[prefix + "." + code] : String(code);
  }
  function enc(v) { return encodeURIComponent(String(v)); }
  function query(params) {
    var out = [];
    keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== null && v !== undefined && v !== "") { out.push(enc(k) + "=" + enc(v)); }
    });
    return out.length ? "?" + out.join("&") : "";
  }
  function status(text, isError) {
    var e = byId("wb-status");
    e.textContent = text || "";
    e.classList.toggle("wb-error", Boolean(isError));
  }
  function sources(list) {
    return (list || []).map(function (s) { return s.file + ":" + s.line; }).join(", ");
  }
  function period(start, end) {
    if (start && end) { return say("canvas.period", {start: start, end: end}); }
    if (start) { return say("canvas.since", {start: start}); }
    if (end) { return say("canvas.until", {end: end}); }
    return "";
  }
  function dayOf(iso) {
    var m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(iso || ""));
    if (!m) { return null; }
    return Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1) / DAY;
  }
  function isoOf(day) { return new Date(day * DAY).toISOString().slice(0, 10); }
  function isMore(id) { return String(id).indexOf(MORE) === 0; }

  // ---------------------------------------------------------------- the server
  function ApiError(message, hint, status) {
    this.message = message; this.hint = hint || ""; this.status = status;
  }
  function api(path, options) {
    wb.busy += 1;
    var opts = Object.assign({credentials: "same-origin", headers: {Accept: "application/json"}},
                             options || {});
    return fetch(path, opts).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (r.status === 401) { throw new ApiError(say("app.session_lost"), "", 401); }
          throw new ApiError(body.error || (r.status + " " + r.statusText), body.hint, r.status);
        });
      }
      return opts.raw ? r : r.json();
    }).finally(function () { wb.busy -= 1; });
  }
  function failed(err) {
    var text = err instanceof ApiError
      ? (err.hint ? say("app.error", {error: err.message, hint: err.hint}) : err.message)
      : String(err && err.message ? err.message : err);
    wb.errors.push(text);
    status(text, true);
  }

  // ---------------------------------------------------------------- canvas state
  function snapshot() { return JSON.stringify(wb.rec); }
  function pushUndo() {
    wb.undoStack.push(snapshot());
    if (wb.undoStack.length > 60) { wb.undoStack.shift(); }
  }
  function undo() {
    if (!wb.undoStack.length) { return; }
    wb.rec = JSON.parse(wb.undoStack.pop());
    sync();
  }
  function inForce(e) {
    if (!wb.asOf) { return true; }
    if (e.start && String(e.start) > wb.asOf) { return false; }
    if (e.end && String(e.end) < wb.asOf) { return false; }
    return true;
  }
  function visibility() {
    var rec = wb.rec, hasEdge = {}, passing = {}, nodes = {}, edges = {};
    keys(rec.edges).forEach(function (id) {
      var e = rec.edges[id];
      hasEdge[e.from] = hasEdge[e.to] = true;
      if (!wb.hiddenTypes[e.type] && inForce(e)) { passing[e.from] = passing[e.to] = true; }
    });
    keys(rec.nodes).forEach(function (id) {
      // a node every one of whose ties the filters hide is hidden with them
      nodes[id] = !rec.hidden[id] && (!hasEdge[id] || Boolean(passing[id]));
    });
    keys(rec.edges).forEach(function (id) {
      var e = rec.edges[id];
      edges[id] = !wb.hiddenTypes[e.type] && inForce(e) && nodes[e.from] === true &&
        nodes[e.to] === true;
    });
    return {nodes: nodes, edges: edges};
  }
  function visibleIds(map) { return keys(map).filter(function (k) { return map[k]; }); }
  wb.visibleNodeIds = function () { return visibleIds(visibility().nodes); };
  wb.visibleEdgeIds = function () { return visibleIds(visibility().edges); };
  wb.positions = function () { return JSON.parse(JSON.stringify(wb.rec.pos)); };

  function tipFor(lines) {
    var box = make("div", "wb-tip");
    lines.filter(Boolean).forEach(function (l, i) {
      if (i) { box.appendChild(document.createElement("br")); }
      box.appendChild(document.createTextNode(l));
    });
    return box;
  }
  function nodeItem(n, shown) {
    var rec = wb.rec, st = KIND_STYLE[n.kind] || OTHER_NODE, p = rec.pos[n.id] || {x: 0, y: 0};
    var evidence = Boolean(rec.evidence.nodes[n.id]), pinned = Boolean(rec.pinned[n.id]);
    return {
      id: n.id, label: n.label || n.name || n.id, shape: st[1], x: p.x, y: p.y,
      hidden: !shown, fixed: {x: pinned, y: pinned},
      color: {background: st[0], border: evidence ? HIGHLIGHT : (pinned ? "#222222" : st[0]),
              highlight: {background: st[0], border: "#000000"}},
      borderWidth: evidence ? 5 : (pinned ? 3 : 1),
      shapeProperties: {borderDashes: pinned && !evidence ? [4, 3] : false},
      font: {size: 13, bold: evidence},
      title: tipFor([n.name, word("kind", n.kind) + " · " + n.id])
    };
  }
  function moreItem(parent, m, shown) {
    var p = wb.rec.pos[MORE + parent] || {x: 0, y: 0};
    return {
      id: MORE + parent, label: say("canvas.more", {n: m.n}), shape: "box", x: p.x, y: p.y,
      hidden: !shown, color: {background: "#f1f1f1", border: "#9a9a9a"},
      font: {size: 12, color: "#333333"}, title: tipFor([say("canvas.more_tip",
        {n: Math.min(PAGE, m.n), total: m.total})])
    };
  }
  function edgeItem(e, shown, bend) {
    var st = TYPE_STYLE[e.type] || OTHER_EDGE;
    var marked = Boolean(wb.rec.evidence.edges[e.id] || wb.rec.path.edges[e.id]);
    var detail = String(e.label || "").replace(new RegExp("^" + e.type + ":\\s*"), "");
    if (detail === e.type) { detail = ""; }
    var item = {
      id: e.id, from: e.from, to: e.to, label: marked ? (detail || word("type", e.type)) : "", hidden: !shown,
      color: {color: marked ? HIGHLIGHT : st[0], highlight: marked ? HIGHLIGHT : st[0],
              hover: marked ? HIGHLIGHT : st[0]},
      dashes: st[1].length ? st[1] : false, width: marked ? st[2] + 3 : st[2],
      selectionWidth: 2,
      smooth: bend ? {enabled: true, type: bend > 0 ? "curvedCW" : "curvedCCW",
                      roundness: 0.18 * Math.abs(bend)} : false,
      title: tipFor([word("type", e.type) + (detail ? " · " + detail : ""),
                     period(e.start, e.end), sources(e.sources)])
    };
    return item;
  }

  function sync() {
    var rec = wb.rec, vis = visibility(), nodeItems = [], edgeItems = [], pairs = {};
    keys(rec.nodes).forEach(function (id) { nodeItems.push(nodeItem(rec.nodes[id], vis.nodes[id])); });
    keys(rec.more).forEach(function (parent) {
      if (has(rec.nodes, parent)) { nodeItems.push(moreItem(parent, rec.more[parent], vis.nodes[parent])); }
    });
    keys(rec.edges).forEach(function (id) {
      var e = rec.edges[id], pair = [e.from, e.to].sort().join("\u0000");
      var k = pairs[pair] = has(pairs, pair) ? pairs[pair] + 1 : 0;
      var bend = k === 0 ? 0 : (k % 2 ? 1 : -1) * Math.ceil(k / 2);
      edgeItems.push(edgeItem(e, vis.edges[id], bend));
    });
    keys(rec.more).forEach(function (parent) {
      if (has(rec.nodes, parent)) {
        edgeItems.push({id: MORE + parent, from: parent, to: MORE + parent, hidden: !vis.nodes[parent],
                        dashes: [2, 3], color: {color: "#bbbbbb"}, width: 1, smooth: false,
                        arrows: {to: {enabled: false}}});
      }
    });
    replace(wb.nodes, nodeItems);
    replace(wb.edges, edgeItems);
    var shownNodes = visibleIds(vis.nodes).length, shownEdges = visibleIds(vis.edges).length;
    var total = keys(rec.nodes).length;
    byId("wb-count").textContent = total ? say("canvas.count",
      {nodes: shownNodes, edges: shownEdges, hidden: total - shownNodes}) : "";
    byId("wb-empty").hidden = total > 0;
    byId("wb-undo").disabled = wb.undoStack.length === 0;
    typeFilters();
    dateDomain();
  }
  function replace(set, items) {
    var want = {}, gone = [];
    items.forEach(function (i) { want[i.id] = true; });
    set.getIds().forEach(function (id) { if (!want[id]) { gone.push(id); } });
    if (gone.length) { set.remove(gone); }
    set.update(items);
  }

  // ---------------------------------------------------------------- placing nodes
  function placed(id) { return has(wb.rec.pos, id); }
  function centroid(except) {
    var x = 0, y = 0, n = 0;
    keys(wb.rec.pos).forEach(function (id) {
      if (id !== except) { x += wb.rec.pos[id].x; y += wb.rec.pos[id].y; n += 1; }
    });
    return n ? {x: x / n, y: y / n, n: n} : null;
  }
  function crowded(x, y, min) {
    return keys(wb.rec.pos).some(function (id) {
      var p = wb.rec.pos[id];
      return Math.abs(p.x - x) < min && Math.abs(p.y - y) < min;
    });
  }
  function freeSpot() {
    var ids = keys(wb.rec.pos);
    if (!ids.length) { return {x: 0, y: 0}; }
    var maxX = -Infinity, sumY = 0;
    ids.forEach(function (id) { maxX = Math.max(maxX, wb.rec.pos[id].x); sumY += wb.rec.pos[id].y; });
    return {x: maxX + 260, y: sumY / ids.length};
  }
  function arc(parent, kids) {
    var p = wb.rec.pos[parent], c = centroid(parent), k = kids.length;
    var spread = c ? Math.PI * 1.4 : Math.PI * 2;
    var dir = c && (Math.abs(p.x - c.x) + Math.abs(p.y - c.y) > 1) ? Math.atan2(p.y - c.y, p.x - c.x) : 0;
    var radius = Math.max(150, (k * 46) / spread);
    kids.forEach(function (id, i) {
      var a = spread >= Math.PI * 2 ? dir + (2 * Math.PI * i) / k
        : dir - spread / 2 + spread * (i + 0.5) / k;
      var r = radius, x, y, tries = 0;
      do {
        x = p.x + r * Math.cos(a); y = p.y + r * Math.sin(a); r += 60; tries += 1;
      } while (crowded(x, y, 34) && tries < 8);
      wb.rec.pos[id] = {x: Math.round(x), y: Math.round(y)};
    });
  }
  // Place every unplaced node of a batch: breadth first from placed nodes, each one's
  // new neighbours on an arc facing away from the rest of the picture.
  function placeNew(ids, edges, root) {
    var adj = {}, todo = {}, queue = [];
    ids.forEach(function (id) { if (!placed(id)) { todo[id] = true; } });
    edges.forEach(function (e) {
      (adj[e.from] = adj[e.from] || []).push(e.to);
      (adj[e.to] = adj[e.to] || []).push(e.from);
    });
    function seed(id) {
      if (!placed(id)) { wb.rec.pos[id] = freeSpot(); delete todo[id]; }
      queue.push(id);
    }
    if (root && (placed(root) || todo[root])) { seed(root); }
    keys(adj).forEach(function (id) { if (placed(id) && queue.indexOf(id) < 0) { queue.push(id); } });
    for (;;) {
      while (queue.length) {
        var c = queue.shift(), kids = [];
        (adj[c] || []).forEach(function (o) { if (todo[o] && kids.indexOf(o) < 0) { kids.push(o); } });
        if (kids.length) {
          arc(c, kids);
          kids.forEach(function (o) { delete todo[o]; queue.push(o); });
        }
      }
      var left = keys(todo);
      if (!left.length) { break; }
      seed(left[0]);
    }
  }
  function centreSpot() {
    var v = wb.network.getViewPosition(), x = v.x, y = v.y, tries = 0;
    while (crowded(x, y, 40) && tries < 20) { x += 50; y += 30; tries += 1; }
    return {x: Math.round(x), y: Math.round(y)};
  }

  // ---------------------------------------------------------------- canvas actions
  function addNodes(list) {
    var added = [];
    (list || []).forEach(function (n) {
      if (!has(wb.rec.nodes, n.id)) { added.push(n.id); }
      wb.rec.nodes[n.id] = {id: String(n.id), kind: n.kind, name: n.name, label: n.label || n.name};
    });
    return added;
  }
  function addEdges(list) {
    (list || []).forEach(function (e) {
      wb.rec.edges[e.id] = {id: String(e.id), from: String(e.from), to: String(e.to), type: e.type,
                            label: e.label || "", start: e.start || "", end: e.end || "",
                            sources: e.sources || []};
    });
  }
  function addEntity(n) {
    if (has(wb.rec.nodes, n.id)) { return false; }
    pushUndo();
    addNodes([{id: n.id, kind: n.kind, name: n.name, label: n.label || n.name}]);
    wb.rec.pos[n.id] = centreSpot();
    sync();
    return true;
  }
  function typesParam() {
    var hidden = keys(wb.hiddenTypes).filter(function (t) { return wb.hiddenTypes[t]; });
    if (!hidden.length) { return ""; }
    return allTypes().filter(function (t) { return !wb.hiddenTypes[t]; }).join(",");
  }
  function expand(id) {
    id = String(id);
    if (isMore(id)) { id = id.slice(MORE.length); }
    if (!has(wb.rec.nodes, id)) { return Promise.resolve(null); }
    var ex = wb.rec.expanded[id], offset = ex ? ex.next : 0, name = wb.rec.nodes[id].name;
    if (ex && ex.more === 0) {
      status(say("canvas.nothing_more", {name: name}));
      return Promise.resolve(null);
    }
    return api("/api/expand/" + enc(id) + query({offset: offset, limit: PAGE, types: typesParam(),
                                                 on: wb.asOf || ""}))
      .then(function (data) {
        pushUndo();
        var added = addNodes(data.nodes);
        addEdges(data.edges);
        var more = Math.max(0, data.more || 0);
        var page = (data.nodes || []).filter(function (n) { return String(n.id) !== id; }).length;
        wb.rec.expanded[id] = {next: offset + page, total: data.total, more: more};
        var moreId = MORE + id, batch = added.slice(), batchEdges = (data.edges || []).slice();
        delete wb.rec.pos[moreId];
        if (more > 0) {
          wb.rec.more[id] = {n: more, total: data.total};
          batch.push(moreId);
          batchEdges.push({from: id, to: moreId});
        } else {
          delete wb.rec.more[id];
        }
        placeNew(batch, batchEdges, id);
        sync();
        status(say("canvas.expanded", {n: offset + page, total: data.total, name: name}));
        return data;
      }).catch(failed);
  }
  // Put nodes and ties (as the API returns them) on the canvas, as an expansion does.
  wb.add = function (nodes, edges, root) {
    pushUndo();
    var added = addNodes(nodes);
    addEdges(edges);
    placeNew(added, edges || [], root);
    sync();
    return added.length;
  };
  // For the saved investigations (static/investigations.js): the server, and a saved
  // canvas put back: its nodes and ties only, at their saved positions (the others placed
  // as an expansion places them), its items hidden, its date.
  wb.api = api;
  wb.restore = function (nodes, edges, pos, hidden, asOf) {
    pushUndo();
    freshCanvas();
    addNodes(nodes);
    addEdges(edges);
    keys(pos || {}).forEach(function (id) {
      if (has(wb.rec.nodes, id)) { wb.rec.pos[id] = {x: pos[id].x, y: pos[id].y}; }
    });
    (hidden || []).forEach(function (id) { if (has(wb.rec.nodes, id)) { wb.rec.hidden[id] = true; } });
    placeNew(keys(wb.rec.nodes), edges || [], null);
    wb.setAsOf(asOf || null);
    fit();
  };
  function selection() {
    return wb.network.getSelectedNodes().map(String).filter(function (id) { return !isMore(id); });
  }
  function needSelection() {
    var sel = selection();
    if (!sel.length) { status(say("tool.need_selection"), true); }
    return sel;
  }
  function hideSelected() {
    var sel = needSelection();
    if (!sel.length) { return; }
    pushUndo();
    sel.forEach(function (id) { wb.rec.hidden[id] = true; });
    wb.network.unselectAll();
    sync();
  }
  function showHidden() {
    if (!keys(wb.rec.hidden).length) { return; }
    pushUndo();
    wb.rec.hidden = {};
    sync();
  }
  function pinSelected() {
    var sel = needSelection();
    if (!sel.length) { return; }
    pushUndo();
    var pin = !sel.every(function (id) { return wb.rec.pinned[id]; });
    sel.forEach(function (id) { if (pin) { wb.rec.pinned[id] = true; } else { delete wb.rec.pinned[id]; } });
    sync();
    pinLabel();
  }
  function pinLabel() {
    var sel = selection();
    var allPinned = sel.length > 0 && sel.every(function (id) { return wb.rec.pinned[id]; });
    byId("wb-pin").textContent = say(allPinned ? "tool.unpin" : "tool.pin");
  }
  function removeNodes(ids) {
    var rec = wb.rec;
    ids.forEach(function (id) {
      delete rec.nodes[id]; delete rec.pos[id]; delete rec.hidden[id]; delete rec.pinned[id];
      delete rec.expanded[id]; delete rec.more[id]; delete rec.pos[MORE + id];
      keys(rec.edges).forEach(function (eid) {
        var e = rec.edges[eid];
        if (e.from === id || e.to === id) { delete rec.edges[eid]; }
      });
    });
  }
  function removeSelected() {
    var sel = needSelection();
    if (!sel.length) { return; }
    pushUndo();
    removeNodes(sel);
    wb.network.unselectAll();
    sync();
  }
  function clearCanvas() {
    if (!keys(wb.rec.nodes).length) { return; }
    pushUndo();
    freshCanvas();
    sync();
  }
  function freshCanvas() {
    wb.rec = {nodes: {}, edges: {}, pos: {}, more: {}, expanded: {}, hidden: {}, pinned: {},
              evidence: {nodes: {}, edges: {}}, path: {edges: {}}};
  }
  function fit() { wb.network.fit({animation: false}); }
  function tidy() {
    if (!keys(wb.rec.nodes).length) { return; }
    pushUndo();
    settle();
  }
  // Let the physics place the unpinned nodes once, then switch it off again.
  function settle() {
    wb.settling = true;
    wb.network.setOptions({physics: {enabled: true}});
    wb.network.stabilize(150);
  }
  function afterTidy() {
    var p = wb.network.getPositions();
    wb.network.setOptions({physics: {enabled: false}});
    keys(p).forEach(function (id) { wb.rec.pos[id] = {x: Math.round(p[id].x), y: Math.round(p[id].y)}; });
    sync();
    fit();
    wb.settling = false;
  }

  // ---------------------------------------------------------------- filters
  function allTypes() {
    return keys(S).filter(function (k) { return k.indexOf("type.") === 0; })
      .map(function (k) { return k.slice(5); });
  }
  var shownTypes = "";
  function typeFilters() {
    var present = {};
    keys(wb.rec.edges).forEach(function (id) { present[wb.rec.edges[id].type] = true; });
    keys(wb.hiddenTypes).forEach(function (t) { if (wb.hiddenTypes[t]) { present[t] = true; } });
    var list = keys(present).sort(), sig = list.join(",");
    if (sig === shownTypes) { return; }
    shownTypes = sig;
    var box = byId("wb-types");
    clear(box);
    list.forEach(function (t) {
      var label = make("label", "wb-type"), box2 = make("input");
      box2.type = "checkbox";
      box2.checked = !wb.hiddenTypes[t];
      box2.value = t;
      box2.id = "wb-type-" + t;
      box2.addEventListener("change", function () {
        wb.hiddenTypes[t] = !box2.checked;
        sync();
      });
      var swatch = make("span", "wb-swatch");
      swatch.style.backgroundColor = (TYPE_STYLE[t] || OTHER_EDGE)[0];
      label.appendChild(box2);
      label.appendChild(swatch);
      label.appendChild(make("span", null, word("type", t)));
      box.appendChild(label);
    });
  }
  wb.setTypeShown = function (type, shown) {
    wb.hiddenTypes[type] = !shown;
    var box = byId("wb-type-" + type);
    if (box) { box.checked = shown; }
    sync();
  };
  var domain = {lo: null, hi: null};
  function dateDomain() {
    var lo = dayOf("2000-01-01"), hi = Math.floor(Date.now() / DAY);
    keys(wb.rec.edges).forEach(function (id) {
      var e = wb.rec.edges[id];
      [e.start, e.end].forEach(function (d) {
        var n = dayOf(d);
        if (n !== null) { lo = Math.min(lo, n); hi = Math.max(hi, n); }
      });
    });
    if (lo === domain.lo && hi === domain.hi) { return; }
    var slider = byId("wb-asof"), current = wb.asOf ? dayOf(wb.asOf) : hi;
    domain = {lo: lo, hi: hi};
    slider.min = String(lo);
    slider.max = String(hi);
    slider.value = String(Math.min(hi, Math.max(lo, current)));
    byId("wb-asof-date").textContent = byId("wb-asof-on").checked ? isoOf(+slider.value) : say("filter.asof_off");
  }
  function dateChanged() {
    var on = byId("wb-asof-on").checked, slider = byId("wb-asof");
    slider.disabled = !on;
    wb.asOf = on ? isoOf(+slider.value) : null;
    byId("wb-asof-date").textContent = on ? wb.asOf : say("filter.asof_off");
    sync();
  }
  wb.setAsOf = function (iso) {
    var box = byId("wb-asof-on"), slider = byId("wb-asof");
    box.checked = Boolean(iso);
    if (iso) { slider.value = String(dayOf(iso)); }
    dateChanged();
  };

  // ---------------------------------------------------------------- search
  var searchSeq = 0, searchTimer = null, results = [], active = -1;
  function closeResults() {
    byId("wb-results").hidden = true;
    byId("wb-search").setAttribute("aria-expanded", "false");
    active = -1;
  }
  function runSearch() {
    var q = byId("wb-search").value.trim(), mine = ++searchSeq;
    if (!q) { closeResults(); return Promise.resolve([]); }
    return api("/api/search" + query({q: q, limit: 20})).then(function (data) {
      if (mine !== searchSeq) { return null; }
      results = data.results || [];
      wb.lastSearch = {q: q, results: results};
      showResults(q);
      return results;
    }).catch(failed);
  }
  function showResults(q) {
    var list = byId("wb-results");
    clear(list);
    active = -1;
    if (!results.length) {
      list.appendChild(make("li", "wb-muted", say("search.none", {q: q})));
    }
    results.forEach(function (r, i) {
      var li = make("li");
      li.setAttribute("role", "option");
      li.id = "wb-result-" + i;
      li.appendChild(make("span", "wb-r-match", say("search.match." + r.match)));
      li.appendChild(make("span", "wb-r-name", r.name));
      // the server's detail tells namesakes apart and ends with the kind in words
      li.appendChild(make("div", "wb-r-meta", [r.id, r.detail || word("kind", r.kind)]
        .filter(Boolean).join(" · ")));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(r); });
      list.appendChild(li);
    });
    list.hidden = false;
    byId("wb-search").setAttribute("aria-expanded", "true");
  }
  function moveActive(step) {
    if (!results.length) { return; }
    var items = byId("wb-results").children;
    if (active >= 0 && items[active]) { items[active].classList.remove("active"); }
    active = (active + step + results.length) % results.length;
    items[active].classList.add("active");
    items[active].scrollIntoView({block: "nearest"});
  }
  function pick(r) {
    closeResults();
    showTab("canvas");
    addEntity({id: r.id, kind: r.kind, name: r.name, label: r.name});
    wb.network.selectNodes([r.id]);
    wb.network.focus(r.id, {scale: Math.max(0.8, wb.network.getScale()), animation: false});
    return showEntity(r.id);
  }
  wb.pick = pick;

  // ---------------------------------------------------------------- entity panel
  function section(body, title) {
    body.appendChild(make("h4", null, title));
  }
  function srcSpan(list) {
    return make("span", "wb-src", (list && list.length) ? " " + say("canvas.source",
      {file: list[0].file, line: list[0].line}) + (list.length > 1 ? " +" + (list.length - 1) : "") : "");
  }
  function linkButton(text, onClick) {
    var b = make("button", "wb-link", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function showEntity(id) {
    wb.panelId = String(id);
    return api("/api/entity/" + enc(id)).then(function (data) {
      if (wb.panelId !== String(id)) { return null; }
      renderEntity(data);
      return data;
    }).catch(failed);
  }
  wb.showEntity = showEntity;
  function renderEntity(data) {
    var ent = data.entity, body = byId("wb-panel-body");
    byId("wb-panel-empty").hidden = true;
    clear(body);
    body.appendChild(make("h3", null, ent.name));
    var head = make("p", "wb-muted", word("kind", ent.kind) + " · " + ent.id);
    head.appendChild(srcSpan(ent.sources));
    body.appendChild(head);
    if (!has(wb.rec.nodes, ent.id)) {
      body.appendChild(linkButton(say("panel.add"), function () {
        addEntity({id: ent.id, kind: ent.kind, name: ent.name});
      }));
    }
    section(body, say("panel.properties"));
    var table = make("table"), props = ent.props || {};
    keys(props).forEach(function (k) {
      var v = props[k];
      if (v === null || v === undefined || v === "") { return; }
      var tr = make("tr");
      var labels = ent.labels || {};
      tr.appendChild(make("th", null, has(S, "prop." + k) || !labels[k] ? word("prop", k) : labels[k]));
      tr.appendChild(make("td", null, typeof v === "object" ? JSON.stringify(v) : v));
      table.appendChild(tr);
    });
    body.appendChild(table);
    if (wb.session && !wb.session.reveal && (has(props, "id_number") || has(props, "credit_code"))) {
      body.appendChild(make("p", "wb-muted", say("panel.masked")));
    }

    section(body, say("panel.ties"));
    var groups = {}, order = [];
    (data.ties || []).forEach(function (t) {
      if (!has(groups, t.type)) { groups[t.type] = []; order.push(t.type); }
      groups[t.type].push(t);
    });
    if (!order.length) { body.appendChild(make("p", "wb-muted", say("panel.none"))); }
    var listed = (data.ties || []).length;
    if (data.ties_total && data.ties_total > listed) {
      body.appendChild(make("p", "wb-muted", say("panel.ties_capped", {n: listed, total: data.ties_total})));
    }
    order.forEach(function (type) {
      var det = make("details"), list = make("ul");
      det.open = groups[type].length <= 12;
      det.appendChild(make("summary", null, say("panel.group", {type: word("type", type), n: groups[type].length})));
      groups[type].forEach(function (t) {
        var li = make("li");
        if (t.words) { li.appendChild(document.createTextNode(t.words + " ")); }
        var o = t.other || {};
        li.appendChild(linkButton(o.name + " (" + o.id + ")", function () { showEntity(o.id); }));
        var when = period(t.start, t.end);
        if (when) { li.appendChild(make("span", "wb-muted", " " + when)); }
        li.appendChild(srcSpan(t.sources));
        list.appendChild(li);
      });
      det.appendChild(list);
      body.appendChild(det);
    });

    section(body, say("panel.findings"));
    if (!(data.findings || []).length) { body.appendChild(make("p", "wb-muted", say("panel.none"))); }
    var fl = make("ul");
    (data.findings || []).forEach(function (f) {
      var li = make("li");
      li.appendChild(make("span", "wb-date", Number(f.score).toFixed(2) + " " + f.rule));
      li.appendChild(linkButton(f.title, function () { openLead(f.id); }));
      li.appendChild(make("span", "wb-src", " " + f.id));
      fl.appendChild(li);
    });
    body.appendChild(fl);

    section(body, say("panel.timeline"));
    if (!(data.timeline || []).length) { body.appendChild(make("p", "wb-muted", say("panel.none"))); }
    var tl = make("ul");
    (data.timeline || []).forEach(function (t) {
      var li = make("li");
      li.appendChild(make("span", "wb-date", t.date || "—"));
      li.appendChild(document.createTextNode(t.what));
      li.appendChild(srcSpan(t.sources));
      if (t.text && String(t.what).indexOf(t.text) < 0) {
        li.appendChild(make("blockquote", "wb-quote", t.text));  // a tip-off's own words
      }
      tl.appendChild(li);
    });
    body.appendChild(tl);
  }
  function renderFinding(f) {
    var body = byId("wb-panel-body");
    byId("wb-panel-empty").hidden = true;
    clear(body);
    body.appendChild(make("h3", null, f.title));
    body.appendChild(make("p", "wb-muted", [f.id, f.rule, word("category", f.category),
      f.score !== undefined ? Number(f.score).toFixed(2) : ""].filter(Boolean).join(" · ")));
    if (f.explanation) {
      section(body, say("panel.explanation"));
      body.appendChild(make("p", null, f.explanation));
    }
    fire("finding", f, body);
  }

  // ---------------------------------------------------------------- leads
  function leadsQuery(offset) {
    var q = {
      rule: byId("wb-f-rule").value.trim(), category: byId("wb-f-category").value,
      min_score: byId("wb-f-score").value, sector: byId("wb-f-sector").value,
      region: byId("wb-f-region").value.trim(), from: byId("wb-f-from").value,
      to: byId("wb-f-to").value, status: byId("wb-f-status").value, offset: offset, limit: 50
    };
    // filters other scripts of the page set (areas.js: the leads of one area)
    keys(wb.leadsExtra || {}).forEach(function (k) { q[k] = wb.leadsExtra[k]; });
    return q;
  }
  function loadLeads(offset) {
    wb.leadsOffset = Math.max(0, offset || 0);
    return api("/api/findings" + query(leadsQuery(wb.leadsOffset))).then(function (data) {
      var tbody = byId("wb-leads").tBodies[0];
      clear(tbody);
      (data.findings || []).forEach(function (f) {
        var tr = make("tr");
        tr.dataset.id = f.id;
        tr.dataset.status = f.status || "";
        tr.title = say("leads.open");
        [Number(f.score).toFixed(2), f.rule, f.title, (f.names || []).join(", "), f.date || "",
         f.sector ? word("sector", f.sector) : "", f.status ? word("status", f.status) : "",
         f.id].forEach(function (v) {
          tr.appendChild(make("td", null, v));
        });
        tr.addEventListener("click", function () { openLead(f.id); });
        tbody.appendChild(tr);
      });
      var shown = (data.findings || []).length;
      byId("wb-leads-count").textContent = say("leads.count",
        {shown: shown ? (wb.leadsOffset + 1) + "–" + (wb.leadsOffset + shown) : 0, total: data.total});
      byId("wb-leads-prev").disabled = wb.leadsOffset === 0;
      byId("wb-leads-next").disabled = wb.leadsOffset + shown >= data.total;
      var cov = byId("wb-coverage");
      clear(cov);
      var c = data.coverage || {};
      keys(c).sort().forEach(function (k) {
        cov.appendChild(make("dt", null, k));
        var v = c[k];
        cov.appendChild(make("dd", null, v && typeof v === "object"
          ? keys(v).map(function (kk) { return kk + ": " + (typeof v[kk] === "object" ? JSON.stringify(v[kk]) : v[kk]); }).join("; ")
          : v));
      });
      wb.leads = data;
      fire("leads", data);
      return data;
    }).catch(failed);
  }
  function openLead(fid) {
    return api("/api/finding/" + enc(fid)).then(function (data) {
      pushUndo();
      freshCanvas();
      addNodes(data.nodes);
      addEdges(data.edges);
      (data.evidence_nodes || []).forEach(function (id) { wb.rec.evidence.nodes[id] = true; });
      (data.evidence_edges || []).forEach(function (id) { wb.rec.evidence.edges[id] = true; });
      var ids = (data.nodes || []).map(function (n) { return String(n.id); });
      placeNew(ids, data.edges || [], (data.evidence_nodes || [])[0] || ids[0]);
      showTab("canvas");
      sync();
      settle();
      renderFinding(data.finding || {id: fid});
      status(say("leads.opened", {id: fid}));
      return data;
    }).catch(failed);
  }
  wb.openLead = openLead;
  wb.loadLeads = loadLeads;
  wb.ui = {api: api, make: make, clear: clear, say: say, word: word, status: status,
           failed: failed, byId: byId, linkButton: linkButton, enc: enc, query: query};

  // ---------------------------------------------------------------- path finder
  function setEnd(which, id) {
    wb.pathEnds[which] = id;
    var n = id && wb.rec.nodes[id];
    byId("wb-path-" + which).textContent = n ? n.name + " (" + n.id + ")" : "";
  }
  function chosen(sel) {
    return Array.prototype.filter.call(sel.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; }).join(",");
  }
  function findPath() {
    var a = wb.pathEnds.from, b = wb.pathEnds.to;
    if (!a || !b || a === b) { status(say("path.need_two"), true); return Promise.resolve(null); }
    var hops = byId("wb-path-hops").value || 6;
    return api("/api/path" + query({from: a, to: b, include: chosen(byId("wb-path-include")),
                                    exclude: chosen(byId("wb-path-exclude")), max_hops: hops,
                                    hub_degree: byId("wb-path-hub").value, on: wb.asOf || ""}))
      .then(function (data) {
        wb.lastPath = data;
        if (!data.found) { status(say("path.none", {hops: hops})); return data; }
        pushUndo();
        var ids = (data.nodes || []).map(function (n) { return String(n.id); });
        addNodes(data.nodes);
        addEdges(data.edges);
        wb.rec.path = {edges: {}};
        (data.edges || []).forEach(function (e) { wb.rec.path.edges[e.id] = true; });
        ids.forEach(function (id) { delete wb.rec.hidden[id]; });
        placeNew(ids, data.edges || [], a);
        sync();
        var lengths = (data.paths || []).map(function (p) { return p.length - 1; });
        var text = say("path.found", {n: lengths.length || 1,
          hops: lengths.length ? Math.min.apply(null, lengths) : (data.edges || []).length});
        if (data.hubs_skipped) { text += " " + say("path.hubs", {n: data.hubs_skipped}); }
        status(text);
        return data;
      }).catch(failed);
  }
  wb.findPath = findPath;
  wb.setPathEnds = function (a, b) { setEnd("from", a); setEnd("to", b); };

  // ---------------------------------------------------------------- export
  // ---------------------------------------------------------------- conflict screen
  function idsOf(text) {
    return String(text || "").split(/[\s,，;；]+/).filter(Boolean);
  }
  function screenSides() {
    var left = idsOf(byId("wb-screen-left").value), right = idsOf(byId("wb-screen-right").value);
    var out = byId("wb-screen-out");
    if (!left.length || !right.length) {
      status(say("screen.need_both"), true);
      return Promise.resolve(null);
    }
    var body = {left: left, right: right};
    if (byId("wb-screen-on").value) { body.on = byId("wb-screen-on").value; }
    return api("/api/screen", {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": wb.session.csrf,
                Accept: "application/json"},
      body: JSON.stringify(body)
    }).then(function (data) {
      wb.lastScreen = data;
      clear(out);
      if (!data.found) {
        out.appendChild(make("li", "wb-screen-none", data.searched));
        status(say("screen.none", {day: data.day}));
        return data;
      }
      (data.answers || []).forEach(function (a) {
        var li = make("li", "wb-screen-answer");
        li.appendChild(make("strong", "", say("screen.pair", {left: a.left, right: a.right,
                                                              ties: a.ties})));
        var steps = make("ul", "wb-screen-steps");
        (a.lines || []).forEach(function (line) { steps.appendChild(make("li", "", line)); });
        li.appendChild(steps);
        out.appendChild(li);
      });
      pushUndo();
      var ids = (data.nodes || []).map(function (n) { return String(n.id); });
      addNodes(data.nodes);
      addEdges(data.edges);
      wb.rec.path = {edges: {}};
      (data.edges || []).forEach(function (e) { wb.rec.path.edges[e.id] = true; });
      ids.forEach(function (id) { delete wb.rec.hidden[id]; });
      placeNew(ids, data.edges || [], ids[0]);
      sync();
      status(say("screen.found", {n: (data.answers || []).length, day: data.day}));
      return data;
    }).catch(failed);
  }

  function exportAs(format) {
    var nodes = wb.visibleNodeIds(), edges = wb.visibleEdgeIds();
    if (!nodes.length) { status(say("export.empty"), true); return Promise.resolve(null); }
    return api("/api/export?format=" + enc(format), {
      method: "POST", raw: true,
      headers: {"Content-Type": "application/json", "X-CSRF-Token": wb.session.csrf,
                Accept: "*/*"},
      body: JSON.stringify({nodes: nodes, edges: edges})
    }).then(function (r) {
      var cd = r.headers.get("Content-Disposition") || "";
      var m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
      var name = m ? decodeURIComponent(m[1]) : "umbrella-canvas." + format;
      return r.blob().then(function (blob) {
        var url = URL.createObjectURL(blob), a = make("a");
        a.href = url;
        a.download = name;
        document.body.appendChild(a);
        a.click();
        document.body.removeChild(a);
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        wb.lastExport = {format: format, name: name, bytes: blob.size, nodes: nodes.length,
                         edges: edges.length};
        status(say("export.done", {nodes: nodes.length, edges: edges.length, file: name}));
        return wb.lastExport;
      });
    }).catch(failed);
  }
  wb.exportAs = exportAs;

  // ---------------------------------------------------------------- tabs and wiring
  // every tab "wb-tab-NAME" shows its view "wb-NAME-view" and hides the others' (the
  // tabs other scripts add, e.g. matches and areas, call wb.showTab("NAME") too)
  function showTab(which) {
    var canvas = which === "canvas";
    document.querySelectorAll(".wb-tabs [role=tab]").forEach(function (tab) {
      var name = tab.id.replace(/^wb-tab-/, ""), view = byId("wb-" + name + "-view");
      tab.setAttribute("aria-selected", String(name === which));
      if (view) { view.hidden = name !== which; }
    });
    if (which === "leads" && !wb.leads) { loadLeads(0); }
    if (canvas && wb.network) { wb.network.redraw(); }
  }
  wb.showTab = showTab;
  function options(select, prefix, withAny) {
    clear(select);
    if (withAny) { var any = make("option", null, say("leads.any")); any.value = ""; select.appendChild(any); }
    keys(S).filter(function (k) { return k.indexOf(prefix + ".") === 0; }).forEach(function (k) {
      var o = make("option", null, S[k]);
      o.value = k.slice(prefix.length + 1);
      select.appendChild(o);
    });
  }
  function applyWords() {
    document.querySelectorAll("[data-s]").forEach(function (e) {
      var k = e.getAttribute("data-s");
      if (has(S, k)) { e.textContent = S[k]; }
    });
    document.querySelectorAll("[data-s-placeholder]").forEach(function (e) {
      var k = e.getAttribute("data-s-placeholder");
      if (has(S, k)) { e.setAttribute("placeholder", S[k]); }
    });
    document.title = say("app.title");
    options(byId("wb-f-category"), "category", true);
    options(byId("wb-f-sector"), "sector", true);
    options(byId("wb-path-include"), "type", false);
    options(byId("wb-path-exclude"), "type", false);
  }
  function wire() {
    var input = byId("wb-search");
    input.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(runSearch, 120);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); moveActive(1); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); moveActive(-1); }
      else if (ev.key === "Escape") { closeResults(); }
      else if (ev.key === "Enter") {
        ev.preventDefault();
        if (results.length && !byId("wb-results").hidden) { pick(results[Math.max(active, 0)]); }
        else { runSearch(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(closeResults, 150); });
    byId("wb-tab-canvas").addEventListener("click", function () { showTab("canvas"); });
    byId("wb-tab-leads").addEventListener("click", function () { showTab("leads"); });
    byId("wb-expand").addEventListener("click", function () { needSelection().forEach(expand); });
    byId("wb-hide").addEventListener("click", hideSelected);
    byId("wb-show-hidden").addEventListener("click", showHidden);
    byId("wb-pin").addEventListener("click", pinSelected);
    byId("wb-remove").addEventListener("click", removeSelected);
    byId("wb-undo").addEventListener("click", undo);
    byId("wb-fit").addEventListener("click", fit);
    byId("wb-tidy").addEventListener("click", tidy);
    byId("wb-clear").addEventListener("click", clearCanvas);
    byId("wb-asof-on").addEventListener("change", dateChanged);
    byId("wb-asof").addEventListener("input", dateChanged);
    byId("wb-path-set-from").addEventListener("click", function () {
      var s = needSelection(); if (s.length) { setEnd("from", s[0]); }
    });
    byId("wb-path-set-to").addEventListener("click", function () {
      var s = needSelection(); if (s.length) { setEnd("to", s[s.length - 1]); }
    });
    byId("wb-path-find").addEventListener("click", findPath);
    byId("wb-screen-form").addEventListener("submit", function (ev) {
      ev.preventDefault(); screenSides();
    });
    ["html", "csv", "xlsx"].forEach(function (f) {
      byId("wb-export-" + f).addEventListener("click", function () { exportAs(f); });
    });
    byId("wb-leads-form").addEventListener("submit", function (ev) { ev.preventDefault(); loadLeads(0); });
    byId("wb-leads-prev").addEventListener("click", function () { loadLeads(wb.leadsOffset - 50); });
    byId("wb-leads-next").addEventListener("click", function () { loadLeads(wb.leadsOffset + 50); });
    document.addEventListener("keydown", function (ev) {
      var t = ev.target && ev.target.tagName;
      if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA") { return; }
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "z") { ev.preventDefault(); undo(); }
      else if (ev.key === "Delete") { removeSelected(); }
      else if (ev.key === "h") { hideSelected(); }
      else if (ev.key === "e") { needSelection().forEach(expand); }
    });
  }
  function startNetwork() {
    wb.nodes = new vis.DataSet([]);
    wb.edges = new vis.DataSet([]);
    var net = wb.network = new vis.Network(byId("wb-graph"), {nodes: wb.nodes, edges: wb.edges}, {
      autoResize: true,
      physics: {enabled: false, stabilization: false,
                barnesHut: {gravitationalConstant: -6000, springLength: 150, avoidOverlap: 0.4}},
      layout: {randomSeed: 1, improvedLayout: false},
      interaction: {hover: true, multiselect: true, tooltipDelay: 150, keyboard: false,
                    navigationButtons: false},
      nodes: {size: 14, font: {size: 13, face: "system-ui, sans-serif"}},
      edges: {smooth: false, arrows: {to: {enabled: true, scaleFactor: 0.5}},
              font: {size: 10, color: "#555555", strokeWidth: 3, strokeColor: "#ffffff",
                     align: "middle"}}
    });
    net.on("doubleClick", function (p) {
      if (p.nodes && p.nodes.length) { expand(p.nodes[0]); }
    });
    net.on("click", function (p) {
      var ids = (p.nodes || []).map(String);
      if (ids.length === 1 && isMore(ids[0])) { return; }
      if (ids.length) { showEntity(ids[ids.length - 1]); }
    });
    net.on("select", function () {
      var sel = selection();
      if (sel.length === 2) { setEnd("from", sel[0]); setEnd("to", sel[1]); }
      pinLabel();
    });
    net.on("dragEnd", function (p) {
      if (!p.nodes || !p.nodes.length) { return; }
      var pos = net.getPositions(p.nodes);
      keys(pos).forEach(function (id) { wb.rec.pos[id] = {x: Math.round(pos[id].x), y: Math.round(pos[id].y)}; });
    });
    net.on("stabilizationIterationsDone", function () {
      if (wb.settling) { afterTidy(); }
    });
    net.once("afterDrawing", function () { wb.drawn = true; });
  }
  function start() {
    wire();
    Promise.all([api("/api/session"), api("/api/strings")]).then(function (got) {
      wb.session = got[0];
      S = got[1] || {};
      document.documentElement.lang = wb.session.lang === "zh" ? "zh-CN" : "en";
      applyWords();
      startNetwork();
      sync();
      status("");
      fire("ready");
      wb.ready = true;
    }).catch(failed);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
