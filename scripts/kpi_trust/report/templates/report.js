// The report's only script: filters by KPI and dimension, the per-slice trust heatmap drawn on
// demand from the inline JSON, "show all" buttons, and details opened for printing. No request.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (event) {
    errors.push(String(event.message));
    document.body.setAttribute("data-js-errors", errors.join(" | "));
  });

  function $(selector) { return document.querySelector(selector); }
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  var SVG = "http://www.w3.org/2000/svg"; // the SVG namespace name (an identifier, not fetched)
  var slices = JSON.parse(document.getElementById("slice-data").textContent || "null");

  function applyFilters() {
    var kpi = $("#filter-kpi").value, dim = $("#filter-dim").value;
    all("[data-kpi], [data-dim]").forEach(function (el) {
      if (el.closest("#slice-heatmap")) { return; }
      var okKpi = !kpi || !el.dataset.kpi || el.dataset.kpi === kpi;
      var okDim = !dim || !el.dataset.dim || el.dataset.dim === dim || el.dataset.dim === "all";
      el.toggleAttribute("hidden", !(okKpi && okDim));
    });
    var shown = all(".kpi-card").filter(function (el) { return !el.hasAttribute("hidden"); }).length;
    $("#filter-count").textContent = shown + " KPI chart(s) shown";
    if (kpi && slices) { $("#slice-kpi").value = kpi; }
    drawSlices();
  }

  function colour(score) {
    if (score === null || score === undefined) { return "#eeeeee"; }
    return score >= 90 ? "#2ca02c" : score >= 70 ? "#ff9f1c" : "#d62728";
  }

  function drawSlices() {
    var holder = $("#slice-heatmap");
    if (!holder || !slices) { return; }
    var kpi = $("#slice-kpi").value, dim = $("#filter-dim").value;
    var rows = (slices.kpis[kpi] || []).filter(function (s) { return !dim || s.dim === dim; });
    var days = slices.days, cw = Math.max(3, Math.min(9, 700 / days.length)), ch = 13, lw = 230;
    var svg = document.createElementNS(SVG, "svg");
    var width = lw + cw * days.length + 6, height = ch * rows.length + 20;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", width);
    svg.setAttribute("class", "chart heatmap slice-heatmap");
    rows.forEach(function (s, r) {
      var g = document.createElementNS(SVG, "g");
      g.setAttribute("data-dim", s.dim);
      var label = document.createElementNS(SVG, "text");
      label.setAttribute("x", lw - 4); label.setAttribute("y", r * ch + ch - 3);
      label.setAttribute("text-anchor", "end"); label.setAttribute("class", "tick");
      label.textContent = s.dim + "=" + s.value;
      g.appendChild(label);
      s.scores.forEach(function (score, c) {
        if (score === null) { return; }
        var rect = document.createElementNS(SVG, "rect");
        rect.setAttribute("x", lw + c * cw); rect.setAttribute("y", r * ch);
        rect.setAttribute("width", cw - 0.6); rect.setAttribute("height", ch - 1);
        rect.setAttribute("fill", colour(score)); rect.setAttribute("class", "cell");
        var title = document.createElementNS(SVG, "title");
        title.textContent = days[c] + " " + kpi + " " + s.dim + "=" + s.value + ": trust " +
          score + (s.reasons[c] ? " (" + s.reasons[c] + ")" : "");
        rect.appendChild(title);
        g.appendChild(rect);
      });
      svg.appendChild(g);
    });
    holder.innerHTML = "";
    holder.appendChild(svg);
    holder.setAttribute("data-drawn-rows", String(rows.length));
  }

  function init() {
    $("#filter-kpi").addEventListener("change", applyFilters);
    $("#filter-dim").addEventListener("change", applyFilters);
    var sliceKpi = $("#slice-kpi");
    if (sliceKpi) { sliceKpi.addEventListener("change", drawSlices); }
    all("button.more").forEach(function (button) {
      button.addEventListener("click", function () {
        var table = document.getElementById(button.dataset.table);
        table.classList.toggle("show-all");
        button.textContent = table.classList.contains("show-all") ? "show fewer" : button.dataset.label;
      });
    });
    window.addEventListener("beforeprint", function () {
      all("details").forEach(function (d) { d.open = true; });
    });
    // Filters can come with the link: index.html#kpi=api_calls&dim=region (shareable views).
    var wanted = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var parts = pair.split("=");
      if (parts.length === 2) { wanted[parts[0]] = decodeURIComponent(parts[1]); }
    });
    [["kpi", "#filter-kpi"], ["dim", "#filter-dim"]].forEach(function (item) {
      var select = $(item[1]);
      var known = Array.prototype.some.call(select.options, function (option) {
        return option.value === wanted[item[0]];
      });
      if (known) { select.value = wanted[item[0]]; }
    });
    applyFilters();
    document.body.setAttribute("data-ready", "yes");
  }
  init();
})();
