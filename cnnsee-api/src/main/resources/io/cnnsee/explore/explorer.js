"use strict";
// The explorer's page. One script for both front ends: "server" asks cnnsee serve for each layer,
// "offline" reads the layers a report wrote into explore-data.js. Levels arrive as 8-bit grey
// pictures (each channel from its minimum, 0, to its maximum, 255); colouring, normalising and
// sorting happen here, so those switches never wait for the network.
(function () {
  const init = window.CNNSEE_INIT;
  const $ = (id) => document.getElementById(id);
  const state = {
    exploration: null, layerIndex: -1, layer: null, sheet: null, grid: null, order: [], ranker: null, colormap: "viridis",
    normalization: "channel", channel: -1, values: null, layerLoads: 0, request: 0
  };
  const timings = {};
  window.cnnsee = { state, timings, tileBox: (c) => tileBox(c) };

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
      explore: async (file) => {
        const response = await fetch("api/explorations", {
          method: "POST", body: file,
          headers: { "Content-Type": file.type || "application/octet-stream", "X-File-Name": encodeURIComponent(file.name) }
        });
        timings.server = response.headers.get("Server-Timing");
        return answer(response);
      },
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
      gradCam: async (e, cls, layer, method) => answer(await fetch(api(e, "/gradcam?class=" + cls + "&layer=" + layer
          + "&method=" + encodeURIComponent(method)))),
      reportUrl: (e) => api(e, "/report.zip"),
      // The server's sample picture, uploaded as a file chosen would be.
      sample: async () => new File([await bytes(await fetch("sample.jpg"))], "chelsea.jpg", { type: "image/jpeg" })
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
      // Offline there are only the levels: values come back to within 1/255 of the channel's range,
      // each level standing for the block of pixels it averages where the layer is larger than its tiles.
      values: async (e, i, c) => {
        const { meta, levels } = state.layer;
        const f = meta.factor;
        const tile = new Float32Array(meta.tileWidth * meta.tileHeight);
        const lo = meta.min[c], span = (meta.max[c] - lo) / 255;
        forEachPixel(meta, levels, c, (p, q) => { tile[p] = lo + q * span; });
        if (f === 1) return tile;
        const out = new Float32Array(meta.width * meta.height);
        for (let y = 0; y < meta.height; y++) {
          for (let x = 0; x < meta.width; x++) out[y * meta.width + x] = tile[Math.floor(y / f) * meta.tileWidth + Math.floor(x / f)];
        }
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

  // Calls fn(pixel, level) for each level of channel c, row by row.
  function forEachPixel(meta, levels, c, fn) {
    const w = meta.tileWidth, h = meta.tileHeight;
    const x0 = (c % meta.columns) * w, y0 = Math.floor(c / meta.columns) * h;
    for (let y = 0; y < h; y++) {
      const row = (y0 + y) * levels.width + x0;
      for (let x = 0; x < w; x++) fn(y * w + x, levels.data[row + x]);
    }
  }

  function layerRange(meta) {
    if (meta.range) return meta.range;
    let lo = Infinity, hi = -Infinity;
    for (let c = 0; c < meta.channels; c++) {
      if (meta.min[c] !== null && meta.min[c] < lo) lo = meta.min[c];
      if (meta.max[c] !== null && meta.max[c] > hi) hi = meta.max[c];
    }
    return (meta.range = [lo, hi]);
  }

  // floor(t * 256), clamped: the entry Java's Colormap.indexOf picks.
  const entry = (t) => (t > 0 ? Math.min(255, Math.floor(t * 256)) : 0);

  // The colormap's 256 colours as the canvas stores pixels (RGBA bytes, read as little-endian words).
  const palettes = {};
  function palette() {
    let p = palettes[state.colormap];
    if (!p) {
      const lut = colormaps[state.colormap];
      p = palettes[state.colormap] = new Uint32Array(256);
      for (let i = 0; i < 256; i++) p[i] = ((255 << 24) | (lut[3 * i + 2] << 16) | (lut[3 * i + 1] << 8) | lut[3 * i]) >>> 0;
    }
    return p;
  }

  // The colour of each level of channel c's tile, under the chosen normalisation.
  function tileColours(meta, levels, c) {
    let t;
    if (state.normalization === "layer") {
      const [lo, hi] = layerRange(meta);
      const min = meta.min[c] === null ? 0 : meta.min[c], span = ((meta.max[c] === null ? 0 : meta.max[c]) - min) / 255;
      t = hi > lo ? (q) => (min + q * span - lo) / (hi - lo) : () => 0;
    } else if (state.normalization === "percentile") {
      const counts = new Uint32Array(256);
      let n = 0;
      forEachPixel(meta, levels, c, (p, q) => { counts[q]++; n++; });
      const level = (share) => { let sum = 0; for (let q = 0; q < 256; q++) { sum += counts[q]; if (sum >= share * n) return q; } return 255; };
      const lo = level(0.01), hi = level(0.99);
      t = hi > lo ? (q) => (q - lo) / (hi - lo) : () => 0;
    } else {
      t = (q) => q / 255;
    }
    const colours = palette(), out = new Uint32Array(256);
    for (let q = 0; q < 256; q++) out[q] = colours[entry(t(q))];
    return out;
  }

  // Every channel's tile coloured into one picture laid out as the levels are: the grid is drawn from it.
  function buildSheet() {
    const { meta, levels } = state.layer;
    const sheet = document.createElement("canvas");
    sheet.width = levels.width;
    sheet.height = levels.height;
    const ctx = sheet.getContext("2d");
    const image = ctx.createImageData(levels.width, levels.height);
    const out = new Uint32Array(image.data.buffer), data = levels.data, w = meta.tileWidth, h = meta.tileHeight;
    for (let c = 0; c < meta.channels; c++) {
      const colours = tileColours(meta, levels, c);
      const x0 = (c % meta.columns) * w, y0 = Math.floor(c / meta.columns) * h;
      for (let y = 0; y < h; y++) {
        const row = (y0 + y) * levels.width + x0;
        for (let x = 0; x < w; x++) out[row + x] = colours[data[row + x]];
      }
    }
    ctx.putImageData(image, 0, 0);
    state.sheet = sheet;
  }

  // Where tiles go: 72 CSS pixels a tile (48 past 512 channels), as many a row as fit, a caption under each.
  function geometry(meta) {
    const cell = meta.channels > 512 ? 48 : 72, pitchX = cell + 8, pitchY = cell + 20;
    const columns = Math.max(1, Math.floor(($("tiles").clientWidth || 800) / pitchX));
    return { cell, pitchX, pitchY, columns, rows: Math.ceil(meta.channels / columns) };
  }

  // The box of channel c's tile in the grid, in CSS pixels from the grid's top left: for clicks and tests.
  function tileBox(c) {
    const g = state.grid, rank = state.order.indexOf(c);
    if (rank < 0) return null;
    const m = state.layer.meta, side = Math.max(m.tileWidth, m.tileHeight);
    const w = Math.round(g.cell * m.tileWidth / side), h = Math.round(g.cell * m.tileHeight / side);
    return { x: (rank % g.columns) * g.pitchX + 2, y: Math.floor(rank / g.columns) * g.pitchY + 2, width: w, height: h };
  }

  function drawGrid() {
    const m = state.layer.meta, g = geometry(m), canvas = $("grid");
    state.grid = g;
    state.order = order(m, state.ranker);
    canvas.width = g.columns * g.pitchX;
    canvas.height = g.rows * g.pitchY;
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "top";
    const s = m.scores[state.ranker];
    state.order.forEach((c, rank) => {
      const box = tileBox(c);
      ctx.drawImage(state.sheet, (c % m.columns) * m.tileWidth, Math.floor(c / m.columns) * m.tileHeight,
        m.tileWidth, m.tileHeight, box.x, box.y, box.width, box.height);
      if (c === state.channel) {
        ctx.strokeStyle = "#e53935";
        ctx.lineWidth = 2;
        ctx.strokeRect(box.x - 1, box.y - 1, box.width + 2, box.height + 2);
      }
      ctx.fillStyle = "#607d8b";
      ctx.fillText("#" + c + " · " + brief(s[c]), box.x, box.y + g.cell + 3, g.pitchX - 4);
    });
  }

  // The grid's pixel under a click is clamped to the grid: chromium paints the grid from the pixel nearest its
  // layout position, so a click on its first row or column may fall a fraction of a pixel above or left of its box.
  function gridClick(event) {
    if (!state.layer) return;
    const g = state.grid, canvas = $("grid"), box = canvas.getBoundingClientRect();
    const at = (client, start, size, pixels) => Math.min(pixels - 1, Math.max(0, Math.floor((client - start) / size * pixels)));
    const col = Math.floor(at(event.clientX, box.left, box.width, canvas.width) / g.pitchX);
    const row = Math.floor(at(event.clientY, box.top, box.height, canvas.height) / g.pitchY);
    const rank = row * g.columns + col;
    if (col < g.columns && rank < state.order.length) selectChannel(state.order[rank]);
  }

  // A percentile of sorted values, interpolated as numpy does by default.
  function percentile(sorted, share) {
    const at = share * (sorted.length - 1), i = Math.floor(at), j = Math.min(sorted.length - 1, i + 1);
    return sorted[i] + (sorted[j] - sorted[i]) * (at - i);
  }

  // Channel c at full resolution from its values: exact from the server, from the levels offline.
  function paintValues(canvas, meta, values, c) {
    const w = meta.width, h = meta.height;
    canvas.width = w;
    canvas.height = h;
    let lo = meta.min[c], hi = meta.max[c];
    if (state.normalization === "layer") {
      [lo, hi] = layerRange(meta);
    } else if (state.normalization === "percentile") {
      const sorted = Float32Array.from(values).sort();
      lo = percentile(sorted, 0.01);
      hi = percentile(sorted, 0.99);
    }
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(w, h);
    const out = new Uint32Array(image.data.buffer), colours = palette();
    const scale = hi > lo ? 1 / (hi - lo) : 0;
    for (let p = 0; p < w * h; p++) out[p] = colours[entry((values[p] - lo) * scale)];
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

  // Four significant digits: what fits under a tile.
  const brief = (v) => (v === null || v === undefined ? "n/a" : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(2) : (+v.toPrecision(4)).toString());

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
      timings.uploadAnswered = performance.now() - timings.uploadStart;
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
    const layers = $("layers");
    layers.replaceChildren(...e.layers.map((l) => {
      const li = document.createElement("li");
      li.dataset.layer = l.index;
      const number = document.createElement("span");
      number.className = "number";
      number.textContent = l.index + 1;
      const b = document.createElement("button");
      b.type = "button";
      b.innerHTML = "<span class=\"name\"></span> <span class=\"shape\"></span>";
      b.firstChild.textContent = l.name;
      if (l.default) {
        b.className = "default";
        b.title = $("default-layer").textContent;
        b.setAttribute("aria-describedby", "layers-legend");
      }
      b.lastChild.textContent = l.channels + " × " + l.height + " × " + l.width;
      b.addEventListener("click", () => selectLayer(l.index).catch((err) => showError(err.message)));
      li.append(number, b);
      return li;
    }));
    $("layers-legend").hidden = !e.layers.some((l) => l.default);
    $("layers-section").hidden = false;
    $("intro").hidden = true;
    const report = $("report");
    report.href = source.reportUrl(e);
    report.textContent = init.mode === "offline" ? "Back to the report" : "Download the report (zip)";
    if (init.mode !== "offline") report.download = "cnnsee-report.zip";
    report.hidden = false;
    $("controls").hidden = false;
    await selectLayer(0);
    // The picture and the list of classes after the tiles: they do not hold them up.
    $("picture").src = source.pictureUrl(e);
    showGradCamControls(e);
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
    $("gradcam-help").textContent = "Which parts of the picture made the network choose a class, at the layer chosen,"
      + " by the method chosen (docs/explanations.md).";
    const methods = $("gradcam-method");
    if (methods.options.length === 0) {
      methods.append(...(init.model.cams || []).map((m) => { const o = document.createElement("option"); o.value = m.key; o.textContent = m.name; return o; }));
    }
    // Every picture has the model's layers: they are listed once, so a layer chosen stays chosen for the next picture.
    const layer = $("gradcam-layer");
    if (layer.options.length === 0) {
      layer.append(...e.layers.map((l) => new Option(l.name, l.index)));
      layer.value = gradCamLayer(e.layers);
    }
    const select = $("gradcam-class");
    const predicted = document.createElement("optgroup");
    predicted.label = "Predicted";
    predicted.append(...e.predictions.map((p) => classOption(p.classIndex)));
    // The list of every class is made once, before any picture: 1000 options are not made again per upload.
    allClasses = allClasses || classGroup();
    select.replaceChildren(predicted, allClasses);
  }

  // Where Grad-CAM starts, as the library's does: the last layer reports show by default (the model's last default
  // tap), else the last with a map of more than one pixel. Not the layer the page opens at, the first, whose
  // map says little about classes.
  function gradCamLayer(layers) {
    const spatial = layers.filter((l) => l.height * l.width > 1);
    const chosen = layers.filter((l) => l.default).pop() || spatial.pop() || layers[layers.length - 1];
    return chosen.index;
  }

  let allClasses = null;
  const classOption = (i) => { const o = document.createElement("option"); o.value = i; o.textContent = init.model.classes[i]; return o; };
  function classGroup() {
    const all = document.createElement("optgroup");
    all.label = "All classes";
    all.append(...init.model.classes.map((_, i) => classOption(i)));
    return all;
  }

  async function runGradCam() {
    const e = state.exploration;
    const cls = $("gradcam-class").value;
    const method = $("gradcam-method").value || "gradcam";
    $("gradcam-caption").textContent = "Computing…";
    try {
      const g = await source.gradCam(e, cls, $("gradcam-layer").value, method);
      if (e !== state.exploration) return;
      const img = $("gradcam");
      img.src = g.png;
      img.hidden = false;
      $("gradcam-caption").textContent = g.method + ": " + g.label + " (" + (100 * g.probability).toFixed(1) + " %) at " + g.layer;
      img.dataset.classIndex = g.classIndex;
      // The map lies below the side bar's fold on a short screen: brought into view once it has its size.
      await img.decode().catch(() => { /* a picture that does not decode shows as broken, in view all the same */ });
      if (e === state.exploration) $("gradcam-figure").scrollIntoView({ block: "nearest" });
    } catch (err) {
      $("gradcam-caption").textContent = "";
      showError(err.message);
    }
  }

  async function selectLayer(i) {
    const e = state.exploration;
    timings.layerStart = performance.now();
    const layer = await source.layer(e, i);
    timings.layerFetched = performance.now() - timings.layerStart;
    if (e !== state.exploration) return;
    state.layerIndex = i;
    state.layer = layer;
    state.channel = -1;
    $("detail").hidden = true;
    for (const li of $("layers").querySelectorAll("li")) {
      li.classList.toggle("selected", +li.dataset.layer === i);
    }
    const m = layer.meta;
    $("layer-title").textContent = m.name + (m.displayName !== m.name ? " (" + m.displayName + ")" : "")
      + ": " + m.channels + " channels of " + m.height + " × " + m.width;
    buildSheet();
    drawGrid();
    timings.layerPainted = performance.now() - timings.layerStart;
    state.layerLoads++;
    timings.layerShown = performance.now();
    timings.layerSwitch = timings.layerShown - timings.layerStart;
    document.body.dataset.layer = m.name;
  }

  function sortTiles() {
    drawGrid();
    if (state.channel >= 0) showStats();
  }

  function repaint() {
    if (!state.layer) return;
    buildSheet();
    drawGrid();
    if (state.values) paintDetail();
  }

  async function selectChannel(c) {
    state.channel = c;
    state.values = null;
    drawGrid();
    const m = state.layer.meta;
    $("detail-title").textContent = m.name + ", channel " + c;
    $("detail").hidden = false;
    $("pointer").textContent = "Point at a map to read its value.";
    showStats();
    const e = state.exploration, layer = state.layerIndex;
    const values = await source.values(e, layer, c);
    if (state.channel !== c || state.layerIndex !== layer) return;
    state.values = values;
    paintDetail();
  }

  function paintDetail() {
    const meta = state.layer.meta;
    const large = $("channel-large");
    paintValues(large, meta, state.values, state.channel);
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
  if (init.model.classes.length > 0 && init.mode !== "offline") allClasses = classGroup();
  if (init.model.weights.random) {
    const note = $("weights-note");
    const said = init.model.weights.source;
    note.textContent = said.charAt(0).toUpperCase() + said.slice(1) + ".";
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
  $("grid").addEventListener("click", gridClick);
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (state.layer) drawGrid(); }, 100);
  });

  if (init.mode === "offline") {
    $("upload").hidden = true;
    $("intro").hidden = true;
    show(init.exploration).then(() => { document.body.dataset.state = "ready"; }, (err) => showError(err.message));
  } else {
    $("file").addEventListener("change", (ev) => { if (ev.target.files.length) upload(ev.target.files[0]); });
    $("sample").addEventListener("click", () => source.sample().then(upload, (err) => showError(err.message)));
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
