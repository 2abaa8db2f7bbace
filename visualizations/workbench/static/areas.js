/* umbrella workbench: the areas view (risk by township and village, government body or
 * sector) and the leads of one area.
 *
 * Loaded after app.js; works through its hooks and helpers (umbrellaWorkbench.ui). Adds
 * an "Areas" tab and its view to the page, reads GET /api/areas?by=... and its words from
 * GET /api/areas/strings; a click on an area opens the leads list filtered to the
 * findings of that area (wb.leadsExtra = {area, by}: /api/findings?area=KEY&by=BY).
 * Every text reaches the page through textContent; there is no innerHTML.
 * State for tests: window.umbrellaAreas.
 */
(function () {
  "use strict";

  var wb = window.umbrellaWorkbench;
  var ui = wb.ui;
  var make = ui.make, byId = ui.byId, clear = ui.clear;
  var S = {};
  var st = {ready: false, by: "region", data: null, open: null};
  window.umbrellaAreas = st;

  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function say(key, fields) {
    var t = has(S, key) ? String(S[key]) : key;
    fields = fields || {};
    return t.replace(/\{(\w+)\}/g, function (m, name) {
      return has(fields, name) ? String(fields[name]) : m;
    });
  }
  function money(v) { return "¥" + Math.round(Number(v) || 0).toLocaleString("en-US"); }
  function ratio(a) {
    return Number(a.ratio).toFixed(2) + " (" + Number(a.low).toFixed(2) + "–" +
      Number(a.high).toFixed(2) + ")";
  }

  // ---------------------------------------------------------------- tab and view
  function build() {
    var tab = make("button", null, say("areas.tab"));
    tab.id = "wb-tab-areas";
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", "false");
    document.querySelector(".wb-tabs").appendChild(tab);

    var view = make("section", "wb-view wb-areas-view");
    view.id = "wb-areas-view";
    view.hidden = true;
    var bar = make("div", "wb-areas-bar");
    var label = make("label");
    label.appendChild(make("span", null, say("areas.by") + " "));
    var pick = make("select");
    pick.id = "wb-areas-by";
    ["region", "agency", "sector"].forEach(function (by) {
      var o = make("option", null, say("areas.by." + by));
      o.value = by;
      pick.appendChild(o);
    });
    label.appendChild(pick);
    bar.appendChild(label);
    view.appendChild(bar);
    var count = make("p", "wb-count");
    count.id = "wb-areas-count";
    view.appendChild(count);
    var wrap = make("div", "wb-table-wrap");
    var table = make("table", "wb-areas");
    table.id = "wb-areas";
    var head = make("tr");
    ["rank", "area", "level", "findings", "weight", "confirmed", "tipoffs", "per_head",
     "ratio"].forEach(function (c) { head.appendChild(make("th", null, say("areas.col." + c))); });
    table.appendChild(make("thead")).appendChild(head);
    table.appendChild(make("tbody"));
    wrap.appendChild(table);
    view.appendChild(wrap);
    var leads = byId("wb-leads-view");
    leads.parentNode.insertBefore(view, leads.nextSibling);

    var chip = make("p", "wb-areas-chip");
    chip.id = "wb-areas-chip";
    chip.hidden = true;
    chip.appendChild(make("span"));
    var off = make("button", null, say("areas.clear"));
    off.type = "button";
    off.id = "wb-areas-clear";
    chip.appendChild(off);
    byId("wb-leads-form").parentNode.insertBefore(chip, byId("wb-leads-count"));

    tab.addEventListener("click", show);
    pick.addEventListener("change", function () { st.by = pick.value; load(); });
    off.addEventListener("click", function () { openArea(null); });
  }
  function show() {
    window.umbrellaWorkbench.showTab("areas");
    if (!st.data || st.data.by !== st.by) { return load(); }
    return Promise.resolve(st.data);
  }

  // ---------------------------------------------------------------- the list
  function load() {
    return ui.api("/api/areas" + ui.query({by: st.by})).then(function (data) {
      st.data = data;
      var tbody = byId("wb-areas").tBodies[0];
      clear(tbody);
      var top = Math.max.apply(null, [2].concat((data.areas || []).map(function (a) { return a.high; })));
      (data.areas || []).forEach(function (a) {
        var tr = make("tr");
        tr.dataset.key = a.key;
        tr.dataset.level = a.level;
        tr.title = say("areas.open");
        [String(a.rank), a.label, say("areas.level." + a.level), String(a.findings),
         Number(a.weight).toFixed(2), String(a.confirmed), String(a.tipoffs),
         money(a.money_per_head)].forEach(function (v) { tr.appendChild(make("td", null, v)); });
        var cell = make("td", "wb-areas-ratio");
        var track = make("span", "wb-areas-track");
        var fill = make("span", "wb-areas-fill" + (a.low > 1 ? " wb-areas-high" : ""));
        fill.style.width = Math.min(100, 100 * a.ratio / top).toFixed(1) + "%";
        var whisker = make("span", "wb-areas-whisker");
        whisker.style.left = Math.min(100, 100 * a.low / top).toFixed(1) + "%";
        whisker.style.width = Math.max(0, Math.min(100, 100 * a.high / top) - 100 * a.low / top).toFixed(1) + "%";
        var one = make("span", "wb-areas-one");
        one.style.left = (100 / top).toFixed(1) + "%";
        track.appendChild(fill);
        track.appendChild(whisker);
        track.appendChild(one);
        cell.appendChild(track);
        cell.appendChild(make("span", "wb-areas-num", ratio(a)));
        tr.appendChild(cell);
        tr.addEventListener("click", function () { openArea(a); });
        tbody.appendChild(tr);
      });
      byId("wb-areas-count").textContent = (data.areas || []).length
        ? say("areas.count", {n: data.areas.length, counted: data.counted, unplaced: data.unplaced})
        : say("areas.none");
      return data;
    }).catch(ui.failed);
  }

  // ---------------------------------------------------------------- leads of an area
  function openArea(a) {
    st.open = a;
    wb.leadsExtra = a ? {area: a.key, by: st.by} : {};
    var chip = byId("wb-areas-chip");
    chip.hidden = !a;
    chip.firstChild.textContent = a ? say("areas.filter", {area: a.label}) + " " : "";
    wb.showTab("leads");
    return wb.loadLeads(0);
  }
  st.openArea = openArea;
  st.show = show;

  function start() {
    ui.api("/api/areas/strings").then(function (words) {
      S = words || {};
      build();
      st.ready = true;
    }).catch(ui.failed);
  }
  if (wb.ready) { start(); } else { wb.hooks.ready.push(start); }
}());
