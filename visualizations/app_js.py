"""The page's own script: draws the graph and wires the search, filters and legend.

It reads the page's data from the JSON block and puts every text on screen
with ``textContent`` (never ``innerHTML``); tooltips are DOM elements built
the same way, so vis-network never parses a title as markup. The script is the
same in every language (its hash is in the page's Content-Security-Policy): the
words it shows come with the data (``data.words``, templates with ``{fields}``).
"""

from __future__ import annotations

APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("umbrella-data").textContent);
  function byId(id) { return document.getElementById(id); }
  function make(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function tip(text) { return make("div", "u-tip", text); }
  function say(key, fields) {
    return String(data.words[key]).replace(/\{(\w+)\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(fields, name) ? String(fields[name]) : m;
    });
  }
  function setText(id, text) {
    var e = byId(id);
    e.textContent = text || "";
    e.hidden = !text;
  }

  document.title = data.title;
  setText("u-title", data.title);
  setText("u-subtitle", data.subtitle);
  setText("u-explanation", data.explanation);
  setText("u-summary", data.summary);
  var notes = byId("u-notes");
  data.notes.forEach(function (n) { notes.appendChild(make("li", null, n)); });
  notes.hidden = data.notes.length === 0;

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var copy = Object.assign({}, n);
    copy.title = tip(n.tip);
    return copy;
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var copy = Object.assign({}, e);
    copy.title = tip(e.tip);
    return copy;
  }));
  var network = new vis.Network(byId("u-graph"), {nodes: nodes, edges: edges}, data.options);
  var view = {network: network, nodes: nodes, edges: edges, counts: data.counts,
              ready: false, readyAt: null, hiddenTypes: {}, hideContext: false};
  window.umbrellaView = view;
  network.once("afterDrawing", function () {
    view.ready = true;
    view.readyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  });
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
    });
  }

  var details = byId("u-details");
  function showDetails(id) {
    var n = id === null ? null : nodes.get(id);
    details.textContent = n ? n.tip : "";
    details.hidden = !n;
  }
  network.on("selectNode", function (p) { showDetails(p.nodes[0]); });
  network.on("deselectNode", function () { showDetails(null); });

  var input = byId("u-search"), list = byId("u-results"), count = byId("u-count");
  var matches = [], at = -1;
  function find(q) {
    q = q.trim().toLowerCase();
    if (!q) { return []; }
    var exact = [], partial = [];
    data.nodes.forEach(function (n) {
      if (n.keys.indexOf(q) >= 0) { exact.push(n.id); }
      else if (n.search.indexOf(q) >= 0) { partial.push(n.id); }
    });
    return exact.concat(partial);
  }
  function go(i) {
    if (!matches.length) { return; }
    at = (i + matches.length) % matches.length;
    var id = matches[at];
    network.selectNodes([id]);
    network.focus(id, {scale: 1.3, animation: false});
    showDetails(id);
    count.textContent = (at + 1) + " / " + matches.length;
  }
  function listMatches() {
    matches = find(input.value);
    at = -1;
    list.replaceChildren();
    matches.slice(0, 30).forEach(function (id, i) {
      var n = nodes.get(id);
      var b = make("button", "u-hit", n.label + (n.ids ? "  " + n.ids : ""));
      b.type = "button";
      b.addEventListener("click", function () { go(i); });
      list.appendChild(b);
    });
    count.textContent = input.value.trim() ? say("found", {n: matches.length}) : "";
  }
  input.addEventListener("input", listMatches);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      if (!matches.length) { listMatches(); }
      go(at + 1);
    }
  });
  byId("u-find").addEventListener("click", function () {
    if (!matches.length) { listMatches(); }
    go(at + 1);
  });
  byId("u-fit").addEventListener("click", function () { network.fit({animation: false}); });

  function applyVisibility() {
    var nodeUpdates = [], edgeUpdates = [];
    edges.forEach(function (e) {
      var hide = !!view.hiddenTypes[e.type] || (view.hideContext && e.faded);
      if (!!e.hidden !== hide) { edgeUpdates.push({id: e.id, hidden: hide}); }
    });
    nodes.forEach(function (n) {
      var hide = view.hideContext && n.faded;
      if (!!n.hidden !== hide) { nodeUpdates.push({id: n.id, hidden: hide}); }
    });
    edges.update(edgeUpdates);
    nodes.update(nodeUpdates);
  }
  view.setType = function (type, on) { view.hiddenTypes[type] = !on; applyVisibility(); };

  var filters = byId("u-filters");
  data.types.forEach(function (t) {
    var label = make("label", "u-filter");
    var box = make("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-type", t.type);
    box.addEventListener("change", function () { view.setType(t.type, box.checked); });
    var line = make("span", "u-line");
    line.style.borderTopColor = t.color;
    line.style.borderTopStyle = t.line;
    line.style.borderTopWidth = Math.max(2, t.width) + "px";
    label.appendChild(box);
    label.appendChild(line);
    label.appendChild(make("span", null, say("count", {name: t.name, n: t.count})));
    label.title = t.meaning;
    filters.appendChild(label);
  });
  if (data.nodes.some(function (n) { return n.faded; })) {
    var ctx = make("label", "u-filter");
    var cbox = make("input");
    cbox.type = "checkbox";
    cbox.checked = true;
    cbox.id = "u-context";
    cbox.addEventListener("change", function () {
      view.hideContext = !cbox.checked;
      applyVisibility();
    });
    ctx.appendChild(cbox);
    ctx.appendChild(make("span", null, say("context", {})));
    filters.appendChild(ctx);
  }

  var legend = byId("u-legend");
  data.kinds.forEach(function (k) {
    var row = make("div", "u-kind");
    var mark = make("span", "u-mark", k.symbol);
    mark.style.color = k.color;
    row.appendChild(mark);
    row.appendChild(make("span", null, say("count", {name: k.noun, n: k.count})));
    legend.appendChild(row);
  });
})();
"""

APP_CSS = r"""
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font-family: system-ui, "Noto Sans CJK SC",
  "Microsoft YaHei", sans-serif; font-size: 14px; color: #222; background: #fff; }
body { display: flex; flex-direction: column; }
header { padding: 8px 14px 4px; border-bottom: 1px solid #ddd; }
h1 { font-size: 18px; margin: 0 0 2px; }
.u-sub { color: #555; margin: 0; }
#u-explanation { margin: 4px 0; max-width: 110ch; }
#u-summary { font-weight: 600; margin: 4px 0 0; }
#u-notes { margin: 2px 0; padding-left: 18px; color: #7a4b00; }
#u-bar { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; padding: 6px 14px;
  border-bottom: 1px solid #eee; }
#u-search { width: 22em; padding: 3px 6px; }
#u-count { color: #555; min-width: 6em; }
#u-filters { display: flex; flex-wrap: wrap; gap: 2px 10px; }
.u-filter { white-space: nowrap; cursor: pointer; }
.u-line { display: inline-block; width: 22px; height: 0; margin: 0 4px 3px 2px;
  vertical-align: middle; border-top: 2px solid #888; }
main { flex: 1; display: flex; min-height: 0; }
#u-graph { flex: 1; min-width: 0; height: 100%; min-height: 420px; }
aside { width: 260px; border-left: 1px solid #eee; padding: 8px; overflow: auto; }
#u-results { display: flex; flex-direction: column; gap: 2px; margin-bottom: 8px; }
.u-hit { text-align: left; font: inherit; background: #f4f6fa; border: 1px solid #dde;
  cursor: pointer; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.u-kind { margin: 2px 0; }
.u-mark { display: inline-block; width: 1.4em; font-size: 16px; }
#u-details, .u-tip { white-space: pre-wrap; overflow-wrap: anywhere; }
#u-details { background: #fafafa; border: 1px solid #eee; padding: 6px; margin-top: 8px; }
.u-tip { max-width: 420px; font-size: 12px; }
h2 { font-size: 13px; margin: 8px 0 4px; color: #444; }
"""
