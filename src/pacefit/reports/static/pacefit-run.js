/* pacefit run page: pace, heart rate, elevation and cadence over time or distance (uPlot),
   one shared x-axis, a readout of the values under the cursor, zoom by dragging (or by clicking
   a step), and a dot on the route where the cursor is. The data is the JSON in #run-data. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("run-data").textContent);
  var unitM = data.unit_m;
  var xMode = data.x_default;
  var charts = [];
  var syncing = false;

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + two(m) : String(m)) + ":" + two(s % 60);
  }
  function paceText(mps) { return mps ? clock(unitM / mps) : "–"; }
  function xs() { return xMode === "time" ? data.elapsed_s : data.distance_m; }
  function xText(v) { return xMode === "time" ? clock(v) : (v / unitM).toFixed(2); }
  function stepSpan(step) {
    return xMode === "time" ? [step.start_s, step.end_s] : [step.start_m, step.end_m];
  }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }

  /* Pace ticks at round paces (whole minutes first, then half, quarter...), at least `gap`
     pixels apart: the axis is linear in speed, so slow paces crowd together. */
  function paceSplits(u, axisIdx, min, max) {
    var height = u.bbox.height / devicePixelRatio, gap = 24, taken = [];
    var fast = unitM / max, slow = unitM / min;
    [60, 30, 15, 5].forEach(function (step) {
      for (var p = Math.ceil(fast / step) * step; p <= slow; p += step) {
        var v = unitM / p, px = ((max - v) / (max - min)) * height;
        var clear = taken.every(function (t) { return Math.abs(t.px - px) >= gap; });
        if (clear) taken.push({ px: px, v: v });
      }
    });
    return taken.map(function (t) { return t.v; }).sort(function (a, b) { return a - b; });
  }

  function stepAt(elapsed) {
    for (var i = 0; i < data.steps.length; i++) {
      var s = data.steps[i];
      if (s.start_s <= elapsed && elapsed <= s.end_s) return s;
    }
    return null;
  }

  function readout(idx) {
    var box = document.getElementById("readout");
    if (idx == null) { box.classList.remove("live"); return; }
    var step = stepAt(data.elapsed_s[idx]);
    var parts = [
      ["time", clock(data.elapsed_s[idx])],
      ["distance", (data.distance_m[idx] / unitM).toFixed(2) + " " + data.unit],
    ];
    if (step) parts.push(["step", step.number + " " + step.label]);
    parts.push(["pace", data.speed_raw_mps[idx] ? paceText(data.speed_raw_mps[idx]) + "/" + data.unit : "stopped"]);
    if (data.heart_rate_bpm) parts.push(["heart rate", data.heart_rate_bpm[idx] == null ? "–" : data.heart_rate_bpm[idx] + " bpm"]);
    if (data.elevation) parts.push(["elevation", data.elevation[idx] == null ? "–" : Math.round(data.elevation[idx]) + " " + data.elevation_unit]);
    if (data.cadence_spm) parts.push(["cadence", data.cadence_spm[idx] == null ? "–" : data.cadence_spm[idx] + " spm"]);
    box.innerHTML = "";
    parts.forEach(function (p) {
      var item = document.createElement("span");
      item.className = "ro-" + p[0].replace(" ", "-");
      item.innerHTML = "<b></b> ";
      item.firstChild.textContent = p[0];
      item.appendChild(document.createTextNode(p[1]));
      box.appendChild(item);
    });
    box.classList.add("live");
    var dot = document.getElementById("route-cursor");
    if (dot && data.route_xy && data.route_xy[idx]) {
      dot.setAttribute("cx", data.route_xy[idx][0]);
      dot.setAttribute("cy", data.route_xy[idx][1]);
      dot.style.display = "";
    }
  }

  function bands(u) {
    var ctx = u.ctx, top = u.bbox.top, bottom = u.bbox.top + u.bbox.height;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, top, u.bbox.width, u.bbox.height);
    ctx.clip();
    data.steps.forEach(function (step) {
      var span = stepSpan(step);
      var x0 = u.valToPos(span[0], "x", true), x1 = u.valToPos(span[1], "x", true);
      var colour = data.colours[step.verdict];
      if (step.band_mps) {
        var y0 = u.valToPos(step.band_mps[1], "y", true), y1 = u.valToPos(step.band_mps[0], "y", true);
        ctx.fillStyle = alpha(colour, 0.3);
        ctx.fillRect(x0, y0, Math.max(1, x1 - x0), Math.max(2, y1 - y0));
      }
      if (step.work) {
        ctx.fillStyle = alpha(colour, 0.07);
        ctx.fillRect(x0, top, Math.max(1, x1 - x0), bottom - top);
      }
    });
    ctx.restore();
  }

  function stepPaces(u) {
    var ctx = u.ctx;
    ctx.save();
    ctx.lineWidth = 3 * devicePixelRatio;
    data.steps.forEach(function (step) {
      if (!step.avg_mps) return;
      var span = stepSpan(step), y = u.valToPos(step.avg_mps, "y", true);
      ctx.strokeStyle = data.colours[step.verdict];
      ctx.beginPath();
      ctx.moveTo(u.valToPos(span[0], "x", true), y);
      ctx.lineTo(u.valToPos(span[1], "x", true), y);
      ctx.stroke();
    });
    ctx.restore();
  }

  function width() {
    var box = document.getElementById("charts");
    return Math.max(240, box.clientWidth);
  }

  function syncScale(u, key) {
    if (key !== "x" || syncing) return;
    syncing = true;
    var min = u.scales.x.min, max = u.scales.x.max;
    charts.forEach(function (other) {
      if (other !== u) other.setScale("x", { min: min, max: max });
    });
    syncing = false;
  }

  function panel(spec, showX) {
    var opts = {
      width: width(),
      height: spec.height,
      legend: { show: false },
      cursor: { sync: { key: "pacefit-run" }, drag: { x: true, y: false, setScale: true } },
      scales: { x: { time: false }, y: spec.range ? { range: function () { return spec.range; } } : {} },
      axes: [
        { show: showX, values: function (u, vals) { return vals.map(xText); }, size: showX ? 36 : 8,
          label: showX ? (xMode === "time" ? "elapsed time" : "distance (" + data.unit + ")") : "" },
        { label: spec.axis, size: 60, values: spec.values, splits: spec.splits },
      ],
      series: [{}].concat(spec.series),
      hooks: {
        setCursor: [function (u) { readout(u.cursor.idx); }],
        setScale: [syncScale],
        drawClear: spec.under ? [spec.under] : [],
        draw: spec.over ? [spec.over] : [],
      },
    };
    var holder = document.createElement("div");
    holder.className = "chart chart-" + spec.key;
    holder.setAttribute("data-series", spec.key);
    document.getElementById("charts").appendChild(holder);
    var values = [xs()].concat(spec.series.map(function (s) { return s.data; }));
    var chart = new uPlot(opts, values, holder);
    chart.pacefitKey = spec.key;
    return chart;
  }

  function specs() {
    var found = [{
      key: "pace", height: 260, axis: "pace /" + data.unit, range: data.speed_axis_mps,
      values: function (u, vals) { return vals.map(paceText); }, splits: paceSplits,
      under: bands, over: stepPaces,
      series: [
        { label: "pace", data: data.speed_mps, stroke: "#222", width: 1.2, points: { show: false } },
        { label: "beyond the axis", data: data.outlier_mps, stroke: "#c0392b", paths: function () { return null; },
          points: { show: true, size: 7, stroke: "#c0392b", fill: "#fff" } },
      ],
    }];
    if (data.heart_rate_bpm) found.push({ key: "hr", height: 120, axis: "bpm",
      series: [{ label: "heart rate", data: data.heart_rate_bpm, stroke: "#c2185b", width: 1.2, points: { show: false } }] });
    if (data.elevation) found.push({ key: "elevation", height: 110, axis: data.elevation_unit,
      series: [{ label: "elevation", data: data.elevation, stroke: "#6d4c41", fill: "rgba(109,76,65,0.15)", width: 1.2, points: { show: false } }] });
    if (data.cadence_spm) found.push({ key: "cadence", height: 110, axis: "spm",
      series: [{ label: "cadence", data: data.cadence_spm, stroke: "#00897b", width: 1, points: { show: false } }] });
    return found;
  }

  function build() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    document.getElementById("charts").innerHTML = "";
    var list = specs();
    list.forEach(function (spec, i) { charts.push(panel(spec, i === list.length - 1)); });
  }

  function zoomTo(number) {
    var step = data.steps.filter(function (s) { return s.number === number; })[0];
    if (!step) return;
    var span = stepSpan(step), pad = (span[1] - span[0]) * 0.15;
    charts[0].setScale("x", { min: span[0] - pad, max: span[1] + pad });
    document.getElementById("charts").scrollIntoView({ block: "nearest" });
  }

  function reset() {
    var x = xs();
    charts[0].setScale("x", { min: x[0], max: x[x.length - 1] });
  }

  document.querySelectorAll("input[name=x-axis]").forEach(function (input) {
    input.checked = input.value === xMode;
    input.addEventListener("change", function () { xMode = input.value; build(); });
  });
  document.getElementById("zoom-reset").addEventListener("click", reset);
  document.querySelectorAll("[data-zoom-step]").forEach(function (el) {
    el.addEventListener("click", function () { zoomTo(Number(el.getAttribute("data-zoom-step"))); });
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.setSize({ width: width(), height: c.height }); });
  });
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (c) { c.setSize({ width: 680, height: c.height }); });
  });
  build();
  window.pacefitRun = { charts: function () { return charts; }, data: data, zoomTo: zoomTo, reset: reset };
})();
