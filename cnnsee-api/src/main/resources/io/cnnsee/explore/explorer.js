"use strict";
// The explorer's page. One script for both front ends: "server" asks cnnsee serve for each layer,
// "offline" reads the layers a report wrote into explore-data.js. Levels arrive as 8-bit grey
// pictures (each channel from its minimum, 0, to its maximum, 255); colouring, normalising and
// sorting happen here, so those switches never wait for the network.
(function () {
  const init = window.CNNSEE_INIT;
  const $ = (id) => document.getElementById(id);
  const state = {
    exploration: null, layerIndex: -1, layer: null, ranker: null, colormap: "viridis",
    normalization: "channel", channel: -1, values: null, layerLoads: 0, request: 0
  };
  const timings = {};
  window.cnnsee = { state, timings };

  const colormaps = {};
  for (const [name, hex] of Object.entries(init.model.colormaps)) {
    const lut = new Uint8ClampedArray(768);
    for (let i = 0; i < 768; i++) lut[i] = parseInt(hex.substr(2 * i, 2), 16);
    colormaps[name] = lut;
  }
  const source = init.mode === "offline" ? offlineSource() : serverSource();

  // ---- where the data comes from ----

  function serverSource() {
    const api = (e, path) => "api/explorations/" + e.id + path;
    return {
      exact: true,
      explore: async (file) => answer(await fetch("api/explorations", {
        method: "POST", body: file,
        headers: { "Content-Type": file.type || "application/octet-stream", "X-File-Name": encodeURIComponent(file.name) }
      })),
      layer: async (e, i) => {
        if (i === 0 && e.firstLayer) {
          return { meta: e.firstLayer, levels: await decodeLevels(await (await fetch(e.firstLayer.levels)).blob()) };
        }
        const [meta, levels] = await Promise.all([
          fetch(api(e, "/layers/" + i)).then(answer),
          fetch(api(e, "/layers/" + i + "/levels.png")).then(bytes).then(decodeLevels)]);
        return { meta, levels };
      },
      values: async (e, i, c) => new Float32Array(await (await bytes(await fetch(api(e, "/layers/" + i + "/channels/" + c)))).arrayBuffer()),
      pictureUrl: (e) => api(e, "/picture.png"),
      gradCam: async (e, cls, layer) => answer(await fetch(api(e, "/gradcam?class=" + cls + "&layer=" + layer))),
      reportUrl: (e) => api(e, "/report.zip")
    };
  }

  function offlineSource() {
    return {
      exact: false,
      layer: async (e, i) => {
        const meta = init.layers[i];
        const levels = await decodeLevels(await (await fetch(meta.levels)).blob());
        return { meta, levels };
      },
      // Offline there are only the levels: values come back to within 1/255 of the channel's range.
      values: async (e, i, c) => {
        const { meta, levels } = state.layer;
        const out = new Float32Array(meta.width * meta.height);
        const lo = meta.min[c], span = (meta.max[c] - lo) / 255;
        forEachPixel(meta, levels, c, (p, q) => { out[p] = lo + q * span; });
        return out;
      },
      pictureUrl: () => init.picture,
      gradCam: null,
      reportUrl: () => init.report
    };
  }

  async function answer(response) {
    let body = null;
    try { body = await response.json(); } catch (ignored) { /* not JSON: said below */ }
    if (!response.ok) {
      throw new Error(body && body.error ? body.error : "The server answered " + response.status + " " + response.statusText);
    }
    return body;
  }

  async function bytes(response) {
    if (!response.ok) await answer(response);
    return response.blob();
  }

  async function decodeLevels(blob) {
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const grey = new Uint8Array(bitmap.width * bitmap.height);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
    return { width: bitmap.width, height: bitmap.height, data: grey };
  }

  // ---- colouring ----

  function forEachPixel(meta, levels, c, fn) {
    const x0 = (c % meta.columns) * meta.width, y0 = Math.floor(c / meta.columns) * meta.height;
    for (let y = 0; y < meta.height; y++) {
      const row = (y0 + y) * levels.width + x0;
      for (let x = 0; x < meta.width; x++) fn(y * meta.width + x, levels.data[row + x]);
    }
  }

  function layerRange(meta) {
    let lo = Infinity, hi = -Infinity;
    for (let c = 0; c < meta.channels; c++) {
      if (meta.min[c] !== null && meta.min[c] < lo) lo = meta.min[c];
      if (meta.max[c] !== null && meta.max[c] > hi) hi = meta.max[c];
    }
    return [lo, hi];
  }

  // Level q of channel c onto [0, 1] under the chosen normalisation: a function made once per channel.
  function normaliser(meta, levels, c) {
    if (state.normalization === "layer") {
      const [lo, hi] = meta.range || (meta.range = layerRange(meta));
      const min = meta.min[c] === null ? 0 : meta.min[c], span = ((meta.max[c] === null ? 0 : meta.max[c]) - min) / 255;
      return hi > lo ? (q) => (min + q * span - lo) / (hi - lo) : () => 0;
    }
    if (state.normalization === "percentile") {
      const counts = new Uint32Array(256);
      let n = 0;
      forEachPixel(meta, levels, c, (p, q) => { counts[q]++; n++; });
      const level = (share) => { let sum = 0; for (let q = 0; q < 256; q++) { sum += counts[q]; if (sum >= share * n) return q; } return 255; };
      const lo = level(0.01), hi = level(0.99);
      return hi > lo ? (q) => (q - lo) / (hi - lo) : () => 0;
    }
    return (q) => q / 255;
  }

  // floor(t * 256), clamped: the entry Java's Colormap.indexOf picks.
  const entry = (t) => (t > 0 ? Math.min(255, Math.floor(t * 256)) : 0);

  function paint(canvas, meta, levels, c) {
    canvas.width = meta.width;
    canvas.height = meta.height;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(meta.width, meta.height);
    const lut = colormaps[state.colormap], px = image.data, norm = normaliser(meta, levels, c);
    const colour = new Int32Array(256);
    for (let q = 0; q < 256; q++) colour[q] = entry(norm(q)) * 3;
    forEachPixel(meta, levels, c, (p, q) => {
      const e = colour[q];
      px[4 * p] = lut[e]; px[4 * p + 1] = lut[e + 1]; px[4 * p + 2] = lut[e + 2]; px[4 * p + 3] = 255;
    });
    ctx.putImageData(image, 0, 0);
  }

  // ---- ranking ----

  function order(meta, ranker) {
    const s = meta.scores[ranker];
    const idx = Array.from({ length: meta.channels }, (_, i) => i);
    const bad = (v) => v === null || Number.isNaN(v);
    // Best first, ties by channel index, missing scores last: the order ChannelRanker gives in Java.
    idx.sort((a, b) => (bad(s[a]) - bad(s[b])) || (bad(s[a]) ? 0 : s[b] - s[a]) || a - b);
    return idx;
  }

  const format = (v) => (v === null || v === undefined ? "n/a"
    : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : (+v.toFixed(4)).toString());

  // ---- what the page shows ----

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = false;
  }

  async function upload(file) {
    const ticket = ++state.request;
    timings.uploadStart = performance.now();
    $("error").hidden = true;
    $("busy").hidden = false;
    document.body.dataset.state = "busy";
    try {
      const e = await source.explore(file);
      if (ticket !== state.request) return;
      await show(e);
      timings.firstTilesShown = performance.now();
      timings.uploadToTiles = timings.firstTilesShown - timings.uploadStart;
    } catch (err) {
      showError(err.message);
    } finally {
      $("busy").hidden = true;
      document.body.dataset.state = state.exploration ? "ready" : "empty";
    }
  }

  async function show(e) {
    state.exploration = e;
    state.channel = -1;
    $("detail").hidden = true;
    $("picture").src = source.pictureUrl(e);
    $("picture-caption").textContent = e.source + " (" + e.width + " × " + e.height + ")";
    $("picture-figure").hidden = false;
    const predictions = $("predictions");
    predictions.replaceChildren(...e.predictions.map((p) => {
      const li = document.createElement("li");
      li.textContent = p.label + " — " + (100 * p.probability).toFixed(1) + " %";
      li.dataset.classIndex = p.classIndex;
      return li;
    }));
    $("predictions-section").hidden = e.predictions.length === 0;
    showGradCamControls(e);
    const layers = $("layers");
    layers.replaceChildren(...e.layers.map((l) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.layer = l.index;
      b.innerHTML = "<span></span> <span class=\"shape\"></span>";
      b.firstChild.textContent = l.name;
      if (l.default) b.firstChild.className = "default";
      b.lastChild.textContent = l.channels + " × " + l.height + " × " + l.width;
      b.addEventListener("click", () => selectLayer(l.index).catch((err) => showError(err.message)));
      li.append(b);
      return li;
    }));
    $("layers-section").hidden = false;
    const report = $("report");
    report.href = source.reportUrl(e);
    report.textContent = init.mode === "offline" ? "Back to the report" : "Download the report (zip)";
    if (init.mode !== "offline") report.download = "cnnsee-report.zip";
    report.hidden = false;
    $("controls").hidden = false;
    await selectLayer(0);
  }

  function showGradCamControls(e) {
    const section = $("gradcam-section");
    $("gradcam").hidden = true;
    $("gradcam-caption").textContent = "";
    if (init.mode === "offline") {
      section.hidden = !init.gradCam;
      if (init.gradCam) {
        $("gradcam-controls").hidden = true;
        $("gradcam-help").textContent = "As the report made it. Grad-CAM for any class at any layer: cnnsee serve.";
        $("gradcam").src = init.gradCam.png;
        $("gradcam").hidden = false;
        $("gradcam-caption").textContent = init.gradCam.label + " at " + init.gradCam.layer;
      }
      return;
    }
    const classes = init.model.classes;
    section.hidden = classes.length === 0;
    if (classes.length === 0) return;
    $("gradcam-help").textContent = "Which parts of the picture made the network choose a class, at the selected layer.";
    const select = $("gradcam-class");
    const option = (i) => { const o = document.createElement("option"); o.value = i; o.textContent = classes[i]; return o; };
    const predicted = document.createElement("optgroup");
    predicted.label = "Predicted";
    predicted.append(...e.predictions.map((p) => option(p.classIndex)));
    const all = document.createElement("optgroup");
    all.label = "All classes";
    all.append(...classes.map((_, i) => option(i)));
    select.replaceChildren(predicted, all);
  }

  async function runGradCam() {
    const e = state.exploration;
    const cls = $("gradcam-class").value;
    $("gradcam-caption").textContent = "Computing…";
    try {
      const g = await source.gradCam(e, cls, state.layerIndex);
      if (e !== state.exploration) return;
      $("gradcam").src = g.png;
      $("gradcam").hidden = false;
      $("gradcam-caption").textContent = g.label + " (" + (100 * g.probability).toFixed(1) + " %) at " + g.layer;
      $("gradcam").dataset.classIndex = g.classIndex;
    } catch (err) {
      $("gradcam-caption").textContent = "";
      showError(err.message);
    }
  }

  async function selectLayer(i) {
    const e = state.exploration;
    timings.layerStart = performance.now();
    const layer = await source.layer(e, i);
    if (e !== state.exploration) return;
    state.layerIndex = i;
    state.layer = layer;
    state.channel = -1;
    $("detail").hidden = true;
    for (const b of $("layers").querySelectorAll("li")) {
      b.classList.toggle("selected", +b.firstChild.dataset.layer === i);
    }
    const m = layer.meta;
    $("layer-title").textContent = m.name + (m.displayName !== m.name ? " (" + m.displayName + ")" : "")
      + ": " + m.channels + " channels of " + m.height + " × " + m.width;
    const tiles = [];
    for (let c = 0; c < m.channels; c++) {
      const figure = document.createElement("figure");
      figure.className = "tile";
      figure.dataset.channel = c;
      const canvas = document.createElement("canvas");
      paint(canvas, m, layer.levels, c);
      const caption = document.createElement("figcaption");
      figure.append(canvas, caption);
      figure.addEventListener("click", () => selectChannel(c));
      tiles.push(figure);
    }
    $("tiles").replaceChildren(...tiles);
    sortTiles();
    state.layerLoads++;
    timings.layerShown = performance.now();
    timings.layerSwitch = timings.layerShown - timings.layerStart;
    document.body.dataset.layer = m.name;
  }

  function sortTiles() {
    const m = state.layer.meta;
    const byChannel = new Map();
    for (const t of $("tiles").children) byChannel.set(+t.dataset.channel, t);
    const s = m.scores[state.ranker];
    const sorted = order(m, state.ranker).map((c, rank) => {
      const t = byChannel.get(c);
      t.dataset.rank = rank;
      t.lastChild.textContent = "#" + c + " · " + format(s[c]);
      t.title = "channel " + c + ", " + state.ranker + " " + format(s[c]);
      return t;
    });
    $("tiles").append(...sorted);
    if (state.channel >= 0) showStats();
  }

  function repaint() {
    if (!state.layer) return;
    for (const t of $("tiles").children) paint(t.firstChild, state.layer.meta, state.layer.levels, +t.dataset.channel);
    if (state.channel >= 0) paintDetail();
  }

  async function selectChannel(c) {
    state.channel = c;
    for (const t of $("tiles").children) t.classList.toggle("selected", +t.dataset.channel === c);
    const m = state.layer.meta;
    $("detail-title").textContent = m.name + ", channel " + c;
    $("detail").hidden = false;
    $("pointer").textContent = "Point at a map to read its value.";
    paintDetail();
    showStats();
    const e = state.exploration, layer = state.layerIndex;
    const values = await source.values(e, layer, c);
    if (state.channel === c && state.layerIndex === layer) state.values = values;
  }

  function paintDetail() {
    const { meta, levels } = state.layer;
    const large = $("channel-large");
    paint(large, meta, levels, state.channel);
    const picture = $("picture");
    const overlay = $("channel-overlay");
    const scale = 320 / Math.max(picture.naturalWidth || 1, picture.naturalHeight || 1);
    overlay.width = Math.max(1, Math.round((picture.naturalWidth || 1) * scale));
    overlay.height = Math.max(1, Math.round((picture.naturalHeight || 1) * scale));
    const ctx = overlay.getContext("2d");
    ctx.globalAlpha = 1;
    ctx.drawImage(picture, 0, 0, overlay.width, overlay.height);
    ctx.globalAlpha = 0.5;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(large, 0, 0, overlay.width, overlay.height);
    ctx.globalAlpha = 1;
  }

  function showStats() {
    const m = state.layer.meta, c = state.channel;
    const rank = order(m, state.ranker).indexOf(c);
    const rows = [["rank by " + state.ranker, (rank + 1) + " of " + m.channels], ["min", format(m.min[c])],
      ["max", format(m.max[c])], ["mean", format(m.mean[c])], ["standard deviation", format(m.std[c])],
      ["positive", (100 * m.active[c]).toFixed(1) + " %"]];
    for (const r of Object.keys(m.scores)) rows.push(["score: " + r, format(m.scores[r][c]), r === state.ranker]);
    $("stats").replaceChildren(...rows.map(([k, v, current]) => {
      const tr = document.createElement("tr");
      if (current) tr.className = "current";
      const th = document.createElement("th");
      th.textContent = k;
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(th, td);
      return tr;
    }));
  }

  function pointAt(event) {
    if (!state.values || state.channel < 0) return;
    const m = state.layer.meta, box = event.target.getBoundingClientRect();
    const x = Math.min(m.width - 1, Math.max(0, Math.floor((event.clientX - box.left) / box.width * m.width)));
    const y = Math.min(m.height - 1, Math.max(0, Math.floor((event.clientY - box.top) / box.height * m.height)));
    const v = state.values[y * m.width + x];
    $("pointer").textContent = "y " + y + ", x " + x + ": " + (source.exact ? "" : "≈ ") + format(v)
      + (source.exact ? "" : " (from 8-bit levels)");
    $("pointer").dataset.y = y;
    $("pointer").dataset.x = x;
  }

  // ---- wiring ----

  $("model").textContent = init.model.name;
  if (init.model.weights.random) {
    const note = $("weights-note");
    note.textContent = "Random weights (" + init.model.weights.source + "): these maps show what an untrained "
      + init.model.name + " computes, not what a trained one learned.";
    note.hidden = false;
  }
  for (const r of init.model.rankers) $("ranker").append(new Option(r, r));
  for (const name of Object.keys(colormaps)) $("colormap").append(new Option(name, name));
  state.ranker = init.model.rankers[0];
  $("ranker").value = state.ranker;
  $("colormap").value = state.colormap;
  $("ranker").addEventListener("change", (ev) => { state.ranker = ev.target.value; if (state.layer) sortTiles(); });
  $("colormap").addEventListener("change", (ev) => { state.colormap = ev.target.value; repaint(); });
  $("normalization").addEventListener("change", (ev) => { state.normalization = ev.target.value; repaint(); });
  $("channel-large").addEventListener("mousemove", pointAt);
  $("channel-overlay").addEventListener("mousemove", pointAt);
  $("gradcam-run").addEventListener("click", runGradCam);

  if (init.mode === "offline") {
    $("upload").hidden = true;
    show(init.exploration).then(() => { document.body.dataset.state = "ready"; }, (err) => showError(err.message));
  } else {
    $("file").addEventListener("change", (ev) => { if (ev.target.files.length) upload(ev.target.files[0]); });
    const drop = $("drop");
    drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (ev) => {
      ev.preventDefault();
      drop.classList.remove("over");
      if (ev.dataTransfer.files.length) upload(ev.dataTransfer.files[0]);
    });
  }
})();
