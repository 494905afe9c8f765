// End-to-end tests of the playground shell in headless Chromium (playwright-core + node:test).
// Run by scripts/e2e.sh, which serves dist/ and sets STOWAGE_URL. Screenshots go to target/e2e/.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const URL_UNDER_TEST = process.env.STOWAGE_URL;
if (!URL_UNDER_TEST) throw new Error("set STOWAGE_URL (scripts/e2e.sh does)");

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHOTS = process.env.STOWAGE_SHOTS ?? `${ROOT}target/e2e`;
mkdirSync(SHOTS, { recursive: true });

// The engine's version is the workspace version (stowage_core::VERSION = CARGO_PKG_VERSION).
const workspaceToml = readFileSync(`${ROOT}Cargo.toml`, "utf8");
const ENGINE_VERSION = /\[workspace\.package\][^[]*?\bversion\s*=\s*"([^"]+)"/.exec(workspaceToml)[1];

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** Opens the playground in a fresh context and waits until the app and the editor are mounted. */
async function openApp({ width = 1280, height = 720, colorScheme = "light", context: reuse } = {}) {
  const context = reuse ?? (await browser.newContext({ viewport: { width, height }, colorScheme }));
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => errors.push(`request failed: ${request.url()}`));
  await page.goto(URL_UNDER_TEST);
  await page.locator("#engine-version").waitFor();
  await page.locator("#pane-editor .cm-content").waitFor();
  return {
    page,
    errors,
    async close() {
      assert.deepEqual(errors, [], "the page logged errors");
      await context.close();
    },
  };
}

test("the app mounts and the header shows the engine version", async () => {
  const app = await openApp();
  const { page } = app;
  assert.equal(await page.locator(".brand-name").textContent(), "Stowage");
  assert.match(await page.locator("#engine-version").textContent(), new RegExp(`v${ENGINE_VERSION.replaceAll(".", "\\.")}`));
  assert.match(await page.locator("#kubernetes-version").textContent(), /v1\.\d+\.\d+/);
  assert.match(await page.locator("#profile").textContent(), /guide/);
  assert.equal(await page.locator(".boot").count(), 0, "the loading placeholder is gone");
  for (const pane of ["editor", "terminal", "cluster", "flow", "timeline", "inspector"]) {
    assert.ok(await page.locator(`#pane-${pane}`).isVisible(), `pane ${pane} is visible`);
  }
  await page.screenshot({ path: `${SHOTS}/playground.png` });
  await app.close();
});

test("the editor renders the default scenario as highlighted YAML", async () => {
  const app = await openApp();
  const { page } = app;
  const content = page.locator("#pane-editor .cm-content");
  const text = await content.innerText();
  assert.match(text, /name: pv-nfs-data/);
  assert.match(text, /kind: PersistentVolumeClaim/);
  assert.match(text, /server: 10\.0\.1\.50/);
  // Keys and values get different colours from the highlighter.
  const colours = await page.evaluate(() => {
    const line = [...document.querySelectorAll("#pane-editor .cm-line")].find((l) => l.textContent === "kind: PersistentVolume");
    return [...line.querySelectorAll("span")].map((span) => [span.textContent, getComputedStyle(span).color]);
  });
  const key = colours.find(([t]) => t === "kind");
  const value = colours.find(([t]) => t === "PersistentVolume");
  assert.ok(key && value, `tokens found: ${JSON.stringify(colours)}`);
  assert.notEqual(key[1], value[1], "keys and values are coloured differently");
  assert.ok((await page.locator("#pane-editor .cm-line span[class]").count()) > 40);
  assert.ok((await page.locator("#pane-editor .cm-lineNumbers .cm-gutterElement").count()) >= 30);
  await app.close();
});

test("a command typed in the terminal runs through the kubectl session", async () => {
  const app = await openApp();
  const { page } = app;
  assert.equal((await page.locator(".term-chip").textContent()).trim(), "kubectl get pv,pvc -A");
  await page.locator("#terminal-input").click();
  await page.keyboard.type("kubectl get pv,pvc -A");
  await page.keyboard.press("Enter");
  await page.locator(".term-command", { hasText: "kubectl get pv,pvc -A" }).waitFor();
  await page.locator(".term-error", { hasText: "No resources found" }).waitFor();
  assert.equal(await page.locator("#terminal-input").inputValue(), "");
  // History: Up recalls the command.
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.locator("#terminal-input").inputValue(), "kubectl get pv,pvc -A");
  // Ctrl+C cancels the line; Tab completes.
  await page.keyboard.press("Control+c");
  assert.equal(await page.locator("#terminal-input").inputValue(), "");
  await page.keyboard.type("kubectl get nod");
  await page.keyboard.press("Tab");
  assert.equal(await page.locator("#terminal-input").inputValue(), "kubectl get nodes ");
  await page.keyboard.press("Enter");
  await page.locator(".term-output", { hasText: "node-3" }).waitFor();
  // A pasted heredoc runs as one command.
  await page.evaluate(() => {
    const area = document.querySelector("#terminal-input");
    const data = new DataTransfer();
    data.setData("text/plain", "cat <<EOF > ns.yaml\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\nEOF\nkubectl apply -f ns.yaml\n");
    area.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await page.locator(".term-output", { hasText: "namespace/team created" }).waitFor();
  await page.screenshot({ path: `${SHOTS}/terminal.png`, clip: await page.locator("#pane-terminal").boundingBox() });
  await app.close();
});

test("editing the manifest and Ctrl+Enter apply it", async () => {
  const app = await openApp();
  const { page } = app;
  assert.match(await page.locator(".statusbar").innerText(), /3 documents/);
  await page.locator("#pane-editor .cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n---\nkind: ConfigMap");
  await page.locator(".statusbar", { hasText: "4 documents" }).waitFor();
  const before = await page.locator("#pane-editor .cm-content").innerText();
  await page.keyboard.press("Control+Enter");
  await page.locator(".term-command", { hasText: "kubectl apply -f manifest.yaml" }).waitFor();
  assert.equal(await page.locator("#pane-editor .cm-content").innerText(), before, "Ctrl+Enter does not insert a line");
  // Undo works inside the editor.
  await page.locator("#pane-editor .cm-content").click();
  await page.keyboard.press("Control+z");
  await page.locator(".statusbar", { hasText: "3 documents" }).waitFor();
  await app.close();
});

test("dragging a handle resizes the editor column", async () => {
  const app = await openApp();
  const { page } = app;
  const editor = page.locator("#pane-editor");
  const widthBefore = (await editor.boundingBox()).width;
  const handle = await page.locator(".splitter[aria-label='Resize the editor column']").boundingBox();
  const x = handle.x + handle.width / 2;
  const y = handle.y + handle.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 60, y, { steps: 4 });
  await page.mouse.up();
  const widthAfter = (await editor.boundingBox()).width;
  assert.ok(Math.abs(widthAfter - widthBefore - 60) <= 2, `width ${widthBefore} -> ${widthAfter}`);
  await app.close();
});

test("the theme follows the system and the toggle switches it", async () => {
  const app = await openApp({ colorScheme: "dark" });
  const { page } = app;
  const background = () => page.evaluate(() => getComputedStyle(document.querySelector(".pane")).backgroundColor);
  assert.equal(await page.locator(".app").getAttribute("data-theme-shown"), "dark");
  const dark = await background();
  await page.screenshot({ path: `${SHOTS}/playground-dark.png` });
  await page.locator("#theme-toggle").click();
  assert.equal(await page.locator("html").getAttribute("data-theme"), "light");
  assert.notEqual(await background(), dark);
  // The choice is remembered.
  await page.reload();
  await page.locator("#engine-version").waitFor();
  assert.equal(await page.locator("html").getAttribute("data-theme"), "light");
  await app.close();
});

test("the shell is keyboard accessible with a visible focus ring", async () => {
  const app = await openApp();
  const { page } = app;
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  const reached = [];
  for (let i = 0; i < 10; i++) {
    const inEditor = await page.evaluate(() => document.activeElement.classList.contains("cm-content"));
    // Tab indents inside the editor; Escape then Tab leaves it (the status bar says so).
    if (inEditor) await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    reached.push(
      await page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        // Buttons get an outline; the thin resize handles light up an accent bar (their ::after) instead.
        const bar = getComputedStyle(el, "::after").backgroundColor;
        const ring =
          (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
          (el.getAttribute("role") === "separator" && bar !== "rgba(0, 0, 0, 0)");
        return { id: el.id || el.getAttribute("aria-label") || el.className, ring };
      }),
    );
  }
  const ids = reached.map((r) => r.id);
  for (const id of ["theme-toggle", "apply-button", "Manifest editor (YAML)", "Resize the terminal", "terminal-input"]) {
    assert.ok(ids.includes(id), `${id} in tab order: ${ids}`);
  }
  for (const id of ["theme-toggle", "apply-button", "Resize the terminal"]) {
    assert.ok(reached.find((r) => r.id === id).ring, `${id} shows a focus ring`);
  }
  assert.match(await page.locator("#pane-editor .cm-content").innerText(), /^# The claim lives/, "tabbing did not edit");
  await app.close();
});

test("on a phone the panes stack in one column", async () => {
  const app = await openApp({ width: 390, height: 844 });
  const { page } = app;
  const box = async (pane) => page.locator(`#pane-${pane}`).boundingBox();
  const editor = await box("editor");
  const terminal = await box("terminal");
  const cluster = await box("cluster");
  assert.ok(terminal.y >= editor.y + editor.height, "the terminal is below the editor");
  assert.ok(editor.height >= 320 && terminal.height >= 200, `heights ${editor.height}, ${terminal.height}`);
  assert.ok(cluster.y >= terminal.y + terminal.height, "the cluster view is below the terminal");
  assert.ok(editor.width > 340 && editor.width <= 390, `editor width ${editor.width}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "no horizontal scrolling");
  assert.equal(await page.locator(".splitter").first().isVisible(), false);
  await page.locator("#apply-button").click();
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Bound']").waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "still no horizontal scrolling");
  await page.screenshot({ path: `${SHOTS}/playground-phone.png`, fullPage: true });
  await app.close();
});

/** Reads a diagram box's status. */
async function statusOf(page, id) {
  return page.locator(`.shape[data-id='${id}']`).getAttribute("data-status");
}

test("applying the guide's static PV and claim shows both Bound in the diagram", async () => {
  const app = await openApp();
  const { page } = app;
  await page.screenshot({ path: `${SHOTS}/first-minute.png` });
  await page.locator("#apply-button").click();
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Bound']").waitFor();
  assert.equal(await statusOf(page, "PersistentVolumeClaim/production/data-claim"), "Bound");
  assert.equal(await page.locator("path.edge-bound").count(), 1);
  await page.locator(".term-chip").click();
  await page.keyboard.press("Enter");
  await page.locator(".term-output", { hasText: "production/data-claim" }).waitFor();
  // The inspector and the volume's lifecycle.
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data']").click();
  await page.locator("#inspector-describe", { hasText: "Status:" }).waitFor();
  assert.equal(await page.locator(".state.current").textContent(), "Bound");
  await page.waitForTimeout(700); // let the enter transitions finish for the screenshot
  await page.screenshot({ path: `${SHOTS}/playground.png` });
  await page.screenshot({ path: `${SHOTS}/cluster.png`, clip: await page.locator("#pane-cluster").boundingBox() });
  await page.screenshot({ path: `${SHOTS}/lifecycle.png`, clip: await page.locator("#pane-flow").boundingBox() });
  await page.locator("#inspector-tab-yaml").click();
  await page.locator("#inspector-yaml", { hasText: "kind: PersistentVolume" }).waitFor();
  await page.screenshot({ path: `${SHOTS}/inspector.png`, clip: await page.locator("#pane-inspector").boundingBox() });
  await app.close();
});

test("step mode walks through dynamic provisioning one controller action at a time", async () => {
  const app = await openApp();
  const { page } = app;
  assert.equal(await page.locator("#time-mode").innerText(), "auto-settle", "a newcomer's commands settle");
  await page.locator("#step-mode").check();
  await page.locator("#examples-select").selectOption("11-dynamic-provisioning-immediate");
  await page.locator("#pane-editor .cm-content", { hasText: "fast-ssd-now" }).waitFor();
  await page.locator("#apply-button").click();
  await page.locator(".term-command", { hasText: "kubectl apply -f manifest.yaml" }).waitFor();
  // The API writes are made, the controllers have not run yet.
  assert.equal(await page.locator("#time-mode").innerText(), "paused · work queued");
  const claim = page.locator(".shape.shape-pvc").first();
  assert.equal(await claim.getAttribute("data-status"), "Pending");
  assert.equal(await page.locator(".shape.shape-pv").count(), 0, "no volume before the provisioner runs");
  const seen = new Set();
  const messages = new Set();
  let steps = 0;
  while ((await claim.getAttribute("data-status")) !== "Bound") {
    const before = await page.locator(".msg").count();
    await page.locator("#step-button").click();
    steps += 1;
    await page.locator(`#checkpoint-${steps + 1}`).waitFor();
    assert.ok((await page.locator(".msg").count()) >= before, "the flow grows with each step");
    for (const current of await page.locator(".msg-current").all()) {
      seen.add(await current.getAttribute("data-from"));
      seen.add(await current.getAttribute("data-to"));
      messages.add((await current.textContent()).trim());
    }
    if (steps === 4) {
      await page.screenshot({ path: `${SHOTS}/flow-step.png`, clip: await page.locator("#pane-flow").boundingBox() });
    }
    assert.ok(steps < 80, `the claim binds within 80 steps (${steps})`);
  }
  assert.ok(steps > 3, `several controller actions: ${steps}`);
  for (const lane of ["apiserver", "pv-controller", "external-provisioner", "csi-controller", "cloud"]) {
    assert.ok(seen.has(lane), `a step's message from or to ${lane}: ${[...seen]}`);
  }
  assert.ok([...messages].some((m) => /CreateVolume/.test(m)), `CreateVolume among ${[...messages]}`);
  await page.locator(".shape.shape-pv[data-status='Bound']").waitFor();
  await page.locator(".shape.shape-disk").first().waitFor();
  // Play runs the rest on simulated time.
  await page.locator("#speed-select").selectOption({ label: "8×" });
  await page.locator("#play-button").click();
  await page.locator("#time-mode", { hasText: "paused · settled" }).waitFor();
  await page.locator("#play-button").click();
  await page.waitForTimeout(1_500); // let the messages' enter animation finish for the screenshots
  await page.screenshot({ path: `${SHOTS}/flow.png`, clip: await page.locator("#pane-flow").boundingBox() });
  await page.screenshot({ path: `${SHOTS}/dynamic.png` });
  await app.close();
});

test("the timeline scrubs back, forward, and continues from an earlier moment", async () => {
  const app = await openApp();
  const { page } = app;
  await page.locator("#apply-button").click();
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Bound']").waitFor();
  await page.locator("#terminal-input").click();
  await page.keyboard.type("kubectl delete pvc data-claim -n production");
  await page.keyboard.press("Enter");
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Released']").waitFor();
  // Back: the volume is Bound again, read-only.
  await page.locator("#checkpoint-1").click();
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Bound']").waitFor();
  await page.locator("#past-banner").waitFor();
  assert.ok(await page.locator("#terminal-input").isDisabled());
  await page.screenshot({ path: `${SHOTS}/timeline-past.png` });
  // Forward with the keyboard on the scrubber.
  await page.locator("#timeline-scrub").focus();
  await page.keyboard.press("End");
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Released']").waitFor();
  assert.equal(await page.locator("#past-banner").count(), 0);
  // Back again and continue from there: the deletion is discarded.
  await page.locator("#checkpoint-1").click();
  await page.locator("#continue-button").click();
  assert.equal(await page.locator("#past-banner").count(), 0);
  assert.equal(await page.locator(".checkpoint").count(), 2);
  assert.equal(await statusOf(page, "PersistentVolumeClaim/production/data-claim"), "Bound");
  // Step and play move simulated time forward.
  const before = await page.locator("#sim-time").innerText();
  await page.locator("#speed-select").selectOption({ label: "8×" });
  await page.locator("#play-button").click();
  await page.waitForFunction((t) => document.querySelector("#sim-time").innerText !== t, before);
  await page.locator("#play-button").click();
  await page.screenshot({ path: `${SHOTS}/timeline.png`, clip: await page.locator("#pane-timeline").boundingBox() });
  await app.close();
});

test("a bad manifest gets an error marker at the reported line", async () => {
  const app = await openApp();
  const { page } = app;
  await page.locator("#pane-editor .cm-content").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  // Line 5 opens a flow sequence that never closes.
  await page.keyboard.insertText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: [\n");
  await page.locator("#apply-button").click();
  await page.locator(".cm-lint-marker-error").waitFor();
  const markerLine = await page.evaluate(() => {
    const marker = document.querySelector(".cm-lint-marker-error");
    const top = marker.getBoundingClientRect().top;
    const numbers = [...document.querySelectorAll("#pane-editor .cm-lineNumbers .cm-gutterElement")];
    const row = numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 4);
    return row ? Number(row.textContent) : -1;
  });
  assert.ok(markerLine >= 5, `marker on line ${markerLine}`);
  await page.locator(".term-error", { hasText: "error parsing manifest.yaml" }).waitFor();
  await page.locator(".cm-lint-marker-error").hover();
  await page.locator(".cm-tooltip-lint").waitFor();
  await page.screenshot({ path: `${SHOTS}/editor-error.png`, clip: await page.locator("#pane-editor").boundingBox() });
  await app.close();
});

test("a server-side validation error gets a marker at the field's line", async () => {
  const app = await openApp();
  const { page } = app;
  await page.locator("#pane-editor .cm-content").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  // The claim (second document) has no accessModes: the API server refuses it; the marker goes on its `spec:` line.
  await page.keyboard.insertText(
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: no-modes\n  namespace: production\nspec:\n  resources:\n    requests:\n      storage: 1Gi\n",
  );
  await page.locator("#apply-button").click();
  await page.locator(".term-error", { hasText: 'The PersistentVolumeClaim "no-modes" is invalid: spec.accessModes: Required value' }).waitFor();
  await page.locator(".cm-lint-marker-error").waitFor();
  const markerLine = await page.evaluate(() => {
    const marker = document.querySelector(".cm-lint-marker-error");
    const top = marker.getBoundingClientRect().top;
    const numbers = [...document.querySelectorAll("#pane-editor .cm-lineNumbers .cm-gutterElement")];
    const row = numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 4);
    return row ? Number(row.textContent) : -1;
  });
  assert.equal(markerLine, 11, "the marker is on the claim's spec: line");
  await page.locator(".cm-lint-marker-error").hover();
  await page.locator(".cm-tooltip-lint", { hasText: "spec.accessModes: Required value" }).waitFor();
  await page.screenshot({ path: `${SHOTS}/editor-server-error.png`, clip: await page.locator("#pane-editor").boundingBox() });
  await app.close();
});

test("the cluster diagram zooms with buttons, Ctrl+wheel and keys, and pans by dragging", async () => {
  const app = await openApp();
  const { page } = app;
  await page.locator("#apply-button").click();
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Bound']").waitFor();
  const zoom = async () => Number(await page.locator(".cluster-canvas").getAttribute("data-zoom"));
  // Readable at 1280x720: a box title renders at 11 px or more on screen.
  const titlePx = async () =>
    page.evaluate(() => document.querySelector(".shape-pv .shape-title").getBoundingClientRect().height);
  const auto = await zoom();
  assert.ok(auto >= 0.85, `automatic zoom ${auto}`);
  assert.ok((await titlePx()) >= 11, `title height ${await titlePx()} px`);
  const width = async () => (await page.locator(".cluster-svg").boundingBox()).width;
  const w0 = await width();
  await page.locator("#zoom-in").click();
  assert.ok((await zoom()) > auto && (await width()) > w0 * 1.2);
  // Ctrl+wheel over the canvas zooms out again (and the page itself does not zoom).
  const zoomedIn = await zoom();
  const canvas = await page.locator(".cluster-canvas").boundingBox();
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, 100);
  await page.keyboard.up("Control");
  await page.waitForFunction((z) => Number(document.querySelector(".cluster-canvas").dataset.zoom) < z, zoomedIn);
  // Keyboard: focus the canvas, + zooms in, arrows pan, 0 resets.
  await page.locator(".cluster-canvas").focus();
  await page.keyboard.press("+");
  await page.keyboard.press("+");
  const scrolled = () => page.evaluate(() => document.querySelector(".cluster-canvas").scrollLeft);
  await page.keyboard.press("ArrowRight");
  assert.ok((await scrolled()) > 0, "the arrow keys pan");
  // Dragging the background pans back.
  const before = await scrolled();
  // Find a point of bare background (the canvas or the diagram's own surface, not a box).
  const [x, y] = await page.evaluate(() => {
    const area = document.querySelector(".cluster-canvas").getBoundingClientRect();
    for (let py = area.top + 6; py < area.bottom - 20; py += 12) {
      for (let px = area.left + 60; px < area.right - 20; px += 20) {
        const hit = document.elementFromPoint(px, py);
        if (hit && (hit.matches(".cluster-canvas, .cluster-svg") || hit.closest(".edges"))) return [px, py];
      }
    }
    return [area.left + 10, area.top + 10];
  });
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 40, y, { steps: 4 });
  await page.mouse.up();
  assert.ok((await scrolled()) < before, "dragging pans");
  await page.screenshot({ path: `${SHOTS}/cluster-zoomed.png`, clip: await page.locator("#pane-cluster").boundingBox() });
  await page.locator("#zoom-fit").click();
  const fit = await zoom();
  const svg = await page.locator(".cluster-svg").boundingBox();
  const box = await page.locator(".cluster-canvas").boundingBox();
  assert.ok(svg.width <= box.width && svg.height <= box.height, "fit shows the whole diagram");
  await page.locator(".cluster-canvas").focus();
  await page.keyboard.press("0");
  assert.equal(await zoom(), auto, `0 resets (fit was ${fit})`);
  await app.close();
});

test("wide kubectl tables keep their columns and scroll sideways per block", async () => {
  const app = await openApp();
  const { page } = app;
  await page.locator("#apply-button").click();
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Bound']").waitFor();
  await page.locator("#terminal-input").click();
  await page.keyboard.type("kubectl get pv,pvc -A -o wide");
  await page.keyboard.press("Enter");
  const block = page.locator(".term-output.term-wide", { hasText: "VOLUMEATTRIBUTESCLASS" }).last();
  await block.waitFor();
  const metrics = await block.evaluate((el) => ({
    scrollWidth: el.scrollWidth,
    clientWidth: el.clientWidth,
    whiteSpace: getComputedStyle(el).whiteSpace,
    userSelect: getComputedStyle(el).userSelect,
    lines: el.textContent.split("\n").length,
    height: el.getBoundingClientRect().height,
    lineHeight: parseFloat(getComputedStyle(el).lineHeight),
  }));
  assert.equal(metrics.whiteSpace, "pre");
  assert.notEqual(metrics.userSelect, "none");
  assert.ok(metrics.scrollWidth > metrics.clientWidth, `the table is wider than the pane: ${JSON.stringify(metrics)}`);
  assert.ok(metrics.height < (metrics.lines + 1.5) * metrics.lineHeight, "no line wraps");
  // The block scrolls on its own; the scrollback does not.
  await block.focus();
  await page.keyboard.press("ArrowRight");
  await block.evaluate((el) => (el.scrollLeft = 200));
  assert.ok((await block.evaluate((el) => el.scrollLeft)) > 0);
  assert.equal(await page.evaluate(() => document.querySelector(".term-scrollback").scrollLeft), 0);
  // Text stays selectable and copyable.
  const selected = await block.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return selection.toString();
  });
  assert.match(selected, /pv-nfs-data/);
  await page.screenshot({ path: `${SHOTS}/terminal-wide.png`, clip: await page.locator("#pane-terminal").boundingBox() });
  await app.close();
});

/** A StatefulSet with `replicas` claims, and `configMaps` ConfigMaps, as one multi-document manifest. */
function largeManifest(replicas, configMaps) {
  const docs = [
    `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  replicas: ${replicas}
  serviceName: web
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: c
        image: busybox
        command: [sleep, "3600"]
        volumeMounts:
        - name: data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
`,
  ];
  for (let i = 0; i < configMaps; i++) {
    docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-${i}\ndata:\n  index: "${i}"\n`);
  }
  return docs.join("---\n");
}

/** Starts a requestAnimationFrame probe; returns a function that stops it and gives the longest frame gap (ms). */
async function frameProbe(page) {
  await page.evaluate(() => {
    window.__gaps = { max: 0, last: performance.now(), on: true };
    const tick = (t) => {
      window.__gaps.max = Math.max(window.__gaps.max, t - window.__gaps.last);
      window.__gaps.last = t;
      if (window.__gaps.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return () => page.evaluate(() => ((window.__gaps.on = false), window.__gaps.max));
}

test("a large apply shows progress, keeps the page responsive, and can be cancelled", async () => {
  const app = await openApp();
  const { page } = app;
  await page.locator("#profile-select").selectOption("minikube");
  await page.locator(".shape[data-id='StorageClass/standard']").waitFor();
  await page.locator("#pane-editor .cm-content").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(largeManifest(50, 250));
  await page.locator(".statusbar", { hasText: "251 documents" }).waitFor();
  const stop = await frameProbe(page);
  const started = Date.now();
  await page.locator("#apply-button").click();
  await page.locator("#work-banner", { hasText: "controller actions" }).waitFor();
  await page.locator("#progress").waitFor();
  await page.screenshot({ path: `${SHOTS}/large-apply.png` });
  await page.locator("#work-banner").waitFor({ state: "detached", timeout: 120_000 });
  const elapsed = Date.now() - started;
  const gap = await stop();
  await page.locator(".shape[data-id='Pod/default/web-49'][data-status='Running']").waitFor();
  assert.match(await page.locator(".term-output", { hasText: "statefulset.apps/web created" }).innerText(), /configmap\/settings-249 created/);
  // The page kept painting between slices (the apply's own writes are one slice).
  assert.ok(gap < 1_500, `longest frame gap ${gap.toFixed(0)} ms over ${elapsed} ms`);
  console.log(`large apply: ${elapsed} ms, longest frame gap ${gap.toFixed(0)} ms`);

  // Again on a fresh cluster, cancelled part way: the rest of the work stays queued, and a reload replays to the same state.
  await page.locator("#profile-select").selectOption("kind");
  await page.locator("#profile-select").selectOption("minikube");
  await page.locator(".shape[data-id='StorageClass/standard']").waitFor();
  await page.locator("#apply-button").click();
  await page.locator("#cancel-work").click();
  await page.locator(".term-hint", { hasText: "Settling cancelled after" }).waitFor();
  assert.equal(await page.locator("#work-banner").count(), 0);
  assert.equal(await page.locator("#engine-status").innerText(), "Work queued");
  const pods = await page.locator(".shape-pod:not(.leaving)").count();
  assert.ok(pods < 50, `${pods} pods when cancelled`);
  const now = await page.locator("#sim-time").innerText();
  await page.reload();
  await page.locator("#engine-version").waitFor();
  await page.locator("#progress").waitFor({ state: "detached", timeout: 120_000 });
  await page.waitForFunction((t) => document.querySelector("#sim-time").innerText === t, now);
  assert.equal(await page.locator(".shape-pod:not(.leaving)").count(), pods, "the reload replays to the same state");
  await app.close();
});

test("the node menu and inspector stop a node through the terminal, and the diagram shows it", async () => {
  const app = await openApp();
  const { page } = app;
  const node = page.locator(".shape[data-id='Node/node-1']");
  await node.click({ button: "right" });
  await page.locator("#node-menu").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "node-menu-stop", "the first action has focus");
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("#node-menu").count(), 0);
  // The context-menu key on a focused node opens the menu too.
  await node.focus();
  await page.keyboard.press("Shift+F10");
  await page.locator("#node-menu").waitFor();
  await page.locator("#node-menu-stop").click();
  await page.locator(".term-command", { hasText: "stowage node stop node-1" }).waitFor();
  await page.locator(".shape[data-id='Node/node-1'][data-status='Stopped']").waitFor();
  assert.match(await node.getAttribute("class"), /phase-stopped/);
  // The inspector's buttons: start it again.
  await node.click();
  await page.locator("#node-machine-state", { hasText: "machine: Stopped" }).waitFor();
  assert.ok(await page.locator("#node-stop").isDisabled());
  await page.screenshot({ path: `${SHOTS}/node-stopped.png` });
  await page.locator("#node-start").click();
  await page.locator(".term-command", { hasText: "stowage node start node-1" }).waitFor();
  await page.locator("#node-machine-state", { hasText: "machine: Ready" }).waitFor();
  assert.notEqual(await node.getAttribute("data-status"), "Stopped");
  await app.close();
});

test("a reload restores the editor, the terminal history and the cluster", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: "light" });
  const app = await openApp({ context });
  const { page } = app;
  await page.locator("#apply-button").click();
  await page.locator(".shape[data-id='PersistentVolume/pv-nfs-data'][data-status='Bound']").waitFor();
  await page.locator("#terminal-input").click();
  await page.keyboard.type("kubectl create configmap kept -n production");
  await page.keyboard.press("Enter");
  await page.locator(".term-output", { hasText: "configmap/kept created" }).waitFor();
  await page.locator("#pane-editor .cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\n# my note");
  await page.reload();
  await page.locator("#pane-editor .cm-content", { hasText: "# my note" }).waitFor();
  await page.locator(".shape[data-id='PersistentVolumeClaim/production/data-claim'][data-status='Bound']").waitFor();
  await page.locator(".term-command", { hasText: "kubectl create configmap kept" }).waitFor();
  assert.equal(await page.locator("#progress").count(), 0, "the restore finished");
  await page.locator("#terminal-input").click();
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.locator("#terminal-input").inputValue(), "kubectl create configmap kept -n production");
  await page.keyboard.press("Control+c");
  await page.keyboard.type("kubectl get cm kept -n production -o name");
  await page.keyboard.press("Enter");
  await page.locator(".term-output", { hasText: /^configmap\/kept$/ }).waitFor();
  // A fresh profile starts over.
  await page.locator("#profile-select").selectOption("minikube");
  await page.locator(".shape[data-id='StorageClass/standard']").waitFor();
  assert.equal(await page.locator(".shape-pv:not(.leaving)").count(), 0);
  await app.close();
});
