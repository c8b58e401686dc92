// autogradviz widgets' front end: plain ES module, no build step (anywidget loads it).
// Python computes everything; this module only shows it and sends the learner's clicks back.
// It never executes what it receives: text goes in through textContent, and the graph's SVG
// is parsed as XML and stripped of scripts, event handlers and links before it is shown.

const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// ------------------------------------------------------------------ the graph pane
function safeSvg(text) {
  const doc = new DOMParser().parseFromString(text || "<svg xmlns='" + SVG_NS + "'/>", "image/svg+xml");
  const svg = doc.documentElement;
  if (!svg || svg.nodeName !== "svg") return document.createElementNS(SVG_NS, "svg");
  for (const bad of svg.querySelectorAll("script, foreignObject, iframe, object, embed")) bad.remove();
  for (const node of svg.querySelectorAll("*")) {
    for (const attr of [...node.attributes]) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith("on") || ((name === "href" || name === "xlink:href") && !value.startsWith("#"))) {
        node.removeAttribute(attr.name);
      }
    }
  }
  return document.importNode(svg, true);
}

// A graph pane with pan (drag) and zoom (wheel, buttons); returns its element and a node index.
function graphPane(svgText, onNodeClick) {
  const pane = el("div", { className: "agv-pane", tabindex: "-1" });
  const stage = el("div", { className: "agv-stage" });
  const svg = safeSvg(svgText);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  stage.append(svg);
  pane.append(stage);
  // "n3" -> its <g> elements: a much-used node is drawn again beside its later uses, and
  // those copies carry the class "agv-of-n3", so they light up with the original.
  const nodes = new Map();
  for (const g of svg.querySelectorAll("g.node")) {
    if (!g.id || !g.id.startsWith("agv-")) continue;
    const copyOf = [...g.classList].find((c) => c.startsWith("agv-of-"));
    const key = copyOf ? copyOf.slice("agv-of-".length) : g.id.slice(4);
    if (!nodes.has(key)) nodes.set(key, []);
    nodes.get(key).push(g);
  }
  const edges = new Map();
  for (const g of svg.querySelectorAll("g.edge")) if (g.id) edges.set(g.id, g);

  let scale = 1, x = 0, y = 0;
  const apply = () => { stage.style.transform = `translate(${x}px, ${y}px) scale(${scale})`; };
  const zoom = (factor) => { scale = Math.min(8, Math.max(0.1, scale * factor)); apply(); };
  pane.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.metaKey && !event.altKey) return; // plain wheel scrolls the page
    event.preventDefault();
    zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15);
  }, { passive: false });
  let drag = null;
  pane.addEventListener("pointerdown", (event) => {
    if (event.target.closest && event.target.closest("g.node")) return;
    drag = { px: event.clientX, py: event.clientY, x, y };
    pane.setPointerCapture(event.pointerId);
  });
  pane.addEventListener("pointermove", (event) => {
    if (!drag) return;
    x = drag.x + event.clientX - drag.px;
    y = drag.y + event.clientY - drag.py;
    apply();
  });
  pane.addEventListener("pointerup", () => { drag = null; });
  if (onNodeClick) {
    for (const [id, gs] of nodes) {
      for (const g of gs) {
        g.classList.add("agv-clickable");
        g.addEventListener("click", () => onNodeClick(id));
      }
    }
  }
  const controls = el("div", { className: "agv-zoom" },
    button("+", "Zoom in", () => zoom(1.25)),
    button("−", "Zoom out", () => zoom(0.8)),
    button("Fit", "Reset zoom", () => { scale = 1; x = 0; y = 0; apply(); }));
  return { element: el("div", { className: "agv-graph" }, controls, pane), nodes, edges };
}

function button(label, ariaLabel, onClick) {
  const b = el("button", { type: "button", className: "agv-button", "aria-label": ariaLabel, title: ariaLabel, text: label });
  b.addEventListener("click", onClick);
  return b;
}

// ------------------------------------------------------------------ predictions
const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan/gi;

// Same rule as autogradviz.viz.stepper.check_prediction (Python re-checks the score).
function checkPrediction(target, text) {
  if (!target) return false;
  // Number("inf") is NaN in JavaScript; Python's float("inf") is infinity.
  const toNumber = (t) => (/inf/i.test(t) ? (t.startsWith("-") ? -Infinity : Infinity) : Number(t));
  let numbers = (String(text).match(NUMBER) || []).map(toNumber);
  const expected = target.values;
  if (numbers.length === 1 && expected.length > 1) numbers = expected.map(() => numbers[0]);
  if (numbers.length !== expected.length) return false;
  return expected.every((want, i) => {
    const got = numbers[i];
    if (Number.isNaN(want)) return Number.isNaN(got);
    if (got === want) return true; // exact, infinities included
    if (!Number.isFinite(want)) return false; // no tolerance around an infinity
    return Math.abs(got - want) <= Math.max(1e-4, 2e-3 * Math.abs(want));
  });
}

// ------------------------------------------------------------------ BackwardStepper
function renderStepper({ model, el: host }) {
  const steps = model.get("steps");
  const total = steps.length;
  const root = el("div", { className: "agv-widget agv-stepper", tabindex: "0" });
  const graph = graphPane(model.get("svg"));
  const counter = el("span", { className: "agv-counter", "aria-live": "polite" });
  const slider = el("input", { type: "range", min: "0", max: String(total), step: "1", "aria-label": "Step" });
  const speed = el("select", { "aria-label": "Speed" });
  for (const value of [0.5, 1, 2, 4]) {
    const option = el("option", { value: String(value), text: `${value}×` });
    if (value === model.get("speed")) option.selected = true;
    speed.append(option);
  }
  const playButton = button("▶▶", "Play", () => togglePlay());
  playButton.classList.add("agv-play");
  const toolbar = el("div", { className: "agv-toolbar", role: "toolbar", "aria-label": "Backward steps" },
    // "|◀" and "▶|", not U+23EE/U+23ED: common fonts (DejaVu, Liberation) lack those glyphs.
    button("|◀", "First step", () => go(0)),
    button("◀", "Previous step", () => go(current() - 1)),
    button("▶", "Next step", () => go(current() + 1)),
    button("▶|", "Last step", () => go(total)),
    playButton, speed, slider, counter);
  const panel = el("div", { className: "agv-panel" });
  root.append(toolbar, el("div", { className: "agv-body" }, graph.element, panel));
  host.append(root);

  const revealed = new Set();
  let timer = null;
  const current = () => model.get("step");

  function go(k) {
    const step = Math.max(0, Math.min(total, k));
    if (step === current()) return update();
    model.set("step", step);
    model.save_changes();
    update();
  }

  function togglePlay() {
    if (timer) return stopPlay();
    if (current() >= total) go(0);
    playButton.setAttribute("aria-label", "Pause");
    playButton.title = "Pause";
    playButton.textContent = "❚❚"; // U+275A: present where U+23F8 (⏸) often is not
    timer = setInterval(() => {
      if (current() >= total) return stopPlay();
      go(current() + 1);
    }, 1000 / Number(speed.value || 1));
  }

  function stopPlay() {
    clearInterval(timer);
    timer = null;
    playButton.setAttribute("aria-label", "Play");
    playButton.title = "Play";
    playButton.textContent = "▶▶";
  }

  speed.addEventListener("change", () => {
    model.set("speed", Number(speed.value));
    model.save_changes();
    if (timer) { stopPlay(); togglePlay(); }
  });
  slider.addEventListener("input", () => go(Number(slider.value)));
  root.addEventListener("keydown", (event) => {
    if (event.target.closest("input[type=text], select")) return;
    const keys = { ArrowRight: () => go(current() + 1), ArrowLeft: () => go(current() - 1),
      Home: () => go(0), End: () => go(total), " ": () => togglePlay() };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });

  function highlight(k) {
    for (const gs of graph.nodes.values()) for (const g of gs) g.classList.remove("agv-current", "agv-done");
    for (const g of graph.edges.values()) g.classList.remove("agv-flow");
    for (let i = 0; i < k; i++) {
      const s = steps[i];
      for (const g of (s.node_id && graph.nodes.get(s.node_id)) || []) {
        g.classList.add(i === k - 1 ? "agv-current" : "agv-done");
      }
    }
    const s = steps[k - 1];
    if (s) for (const id of s.edges) { const e = graph.edges.get(id); if (e) e.classList.add("agv-flow"); }
  }

  // The drawing's own title says where the pass is (it was drawn before backward).
  const title = graph.element.querySelector("svg g.graph > text");

  function update() {
    const k = current();
    counter.textContent = `step ${k} / ${total}`;
    if (title) {
      title.textContent = k === 0 ? "before backward" : k === total ? "after backward"
        : `backward: step ${k} / ${total}`;
    }
    slider.value = String(k);
    highlight(k);
    panel.replaceChildren(...details(k));
  }

  function details(k) {
    if (k === 0) {
      return [el("p", { className: "agv-hint", text: `Before backward: ${total} steps to go. Press Next step (or →).` })];
    }
    const s = steps[k - 1];
    const parts = [el("h4", { text: `step ${k} / ${total}: ${s.name && !s.accumulate ? s.name + " = " : ""}${s.title}` })];
    const received = s.received.map((v) => v ?? "None").join(", ");
    const arrived = s.contributions || [];
    // A tensor used more than once: each contribution arrives, and the engine sums them.
    const arrivals = arrived.length > 1
      ? arrived.map((c) => `${c.value} (from ${c.title})`).join(" + ") + ` = ${received}`
      : received;
    parts.push(el("p", { className: "agv-received", text: `received grad = ${arrivals}` }));
    const answer = model.get("answers")[String(k)];
    const hidden = model.get("predict") && s.target && !answer && !revealed.has(k);
    if (hidden) {
      parts.push(predictionForm(k, s));
    } else {
      if (answer) {
        parts.push(el("p", { className: answer.right ? "agv-right" : "agv-wrong",
          text: answer.right ? `✓ right: ${answer.text}` : `✗ not quite: you said ${answer.text}` }));
      }
      const rule = el("div", { className: "agv-rule" });
      for (const line of s.rule) rule.append(el("code", { text: line }));
      parts.push(rule);
      if (s.accumulate) {
        const a = s.accumulate;
        parts.push(el("p", { className: "agv-accumulate",
          text: a.before == null ? `${a.leaf}.grad = ${a.added}` : `${a.leaf}.grad += ${a.added}  (was ${a.before}, now ${a.after})` }));
      }
      const produced = s.produced.filter((p) => p.value != null);
      if (produced.length) {
        const list = el("ul", { className: "agv-produced" });
        for (const p of produced) {
          const target = p.to_label || p.to;
          list.append(el("li", { text: `→ grad_${p.input}${target ? " to " + target : ""}: ${p.value}` }));
        }
        parts.push(list);
      }
    }
    const table = el("table", { className: "agv-leaves" }, el("caption", { text: ".grad so far" }));
    for (const [name, value] of s.leaf_grads) {
      table.append(el("tr", {}, el("th", { text: name }), el("td", { text: value ?? "None" })));
    }
    parts.push(table);
    return parts;
  }

  function predictionForm(k, s) {
    const input = el("input", { type: "text", "aria-label": `Your prediction for ${s.target.label}`, placeholder: "e.g. [1, 2]" });
    const form = el("form", { className: "agv-predict" },
      el("label", { text: `Predict ${s.target.label}: ` }), input);
    const check = el("button", { type: "submit", className: "agv-button", "aria-label": "Check prediction", text: "Check" });
    const reveal = button("Reveal", "Reveal", () => { revealed.add(k); update(); });
    form.append(check, reveal);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const right = checkPrediction(s.target, input.value);
      model.set("answers", { ...model.get("answers"), [String(k)]: { text: input.value, right } });
      model.save_changes();
      update();
    });
    return form;
  }

  model.on("change:step", update);
  model.on("change:answers", update);
  model.on("change:predict", update);
  update();
  return () => stopPlay();
}

// ------------------------------------------------------------------ LiveGraph
function renderLive({ model, el: host }) {
  const root = el("div", { className: "agv-widget agv-live" });
  host.append(root);
  let selected = null;

  function draw() {
    const chip = el("span", { className: "agv-chip", text: model.get("state") });
    const badges = el("ul", { className: "agv-badges" });
    for (const b of model.get("badges")) badges.append(el("li", { className: `agv-badge agv-badge-${b.kind}`, text: b.text }));
    const panel = el("div", { className: "agv-panel" });
    const graph = graphPane(model.get("svg"), (id) => { selected = id; select(id); });
    function select(id) {
      for (const gs of graph.nodes.values()) for (const g of gs) g.classList.remove("agv-selected");
      for (const g of graph.nodes.get(id) || []) g.classList.add("agv-selected");
      const d = model.get("details")[id];
      if (!d) return panel.replaceChildren(el("p", { className: "agv-hint", text: "Click a node to see its details." }));
      const parts = [el("h4", { text: d.title })];
      for (const [key, value] of d.rows) parts.push(el("div", { className: "agv-row" }, el("b", { text: key + ": " }), el("span", { text: value })));
      panel.replaceChildren(...parts);
    }
    root.replaceChildren(el("div", { className: "agv-toolbar" }, chip, badges), el("div", { className: "agv-body" }, graph.element, panel));
    select(selected);
  }
  model.on("change:svg", draw);
  model.on("change:badges", draw);
  draw();
}

function render(context) {
  return context.model.get("kind") === "live" ? renderLive(context) : renderStepper(context);
}

export default { render };
