// Headless Chromium (Debian's, through playwright-core) on the page of
// weir-sink -f dashboard: tests/bats/dashboard-browser.bats.
//   node dashboard.mjs URL DIR
// Loads URL; once a provisional row shows, writes DIR/phase1.json and
// waits for DIR/go; once the stream has ended and the page shows it,
// writes DIR/dom.json (every table row, the chart's points).  Screenshots:
// DIR/dashboard-live.png (half the input in), DIR/dashboard.png (the end).
import { chromium } from "playwright-core";
import fs from "node:fs";
import path from "node:path";

const [url, dir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", e => errors.push(String(e)));
  page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
  const external = [];
  page.on("request", r => { if (!r.url().startsWith(url)) external.push(r.url()); });
  await page.goto(url);
  const dump = () => page.evaluate(() => ({
    status: document.getElementById("status").textContent,
    rows: [...document.querySelectorAll("#rows tbody tr")].map(tr => ({
      cls: tr.className.split(" ")[0], row: tr.dataset.row, key: tr.dataset.key,
      start: tr.dataset.start, end: tr.dataset.end,
      cells: [...tr.children].map(td => td.textContent),
    })),
    points: document.querySelectorAll("#plot circle.pt").length,
    lines: document.querySelectorAll("#plot polyline").length,
    chart: document.getElementById("chart").value,
  }));
  await page.waitForFunction(() => document.querySelector("#rows tr.provisional"),
    null, { timeout: 20000 });
  await new Promise(r => setTimeout(r, 300));	// the last render
  await page.screenshot({ path: path.join(dir, "dashboard-live.png") });
  fs.writeFileSync(path.join(dir, "phase1.json"), JSON.stringify(await dump()));
  for (let i = 0; i < 400 && !fs.existsSync(path.join(dir, "go")); i++)
    await new Promise(r => setTimeout(r, 50));
  await page.waitForFunction(() =>
    document.getElementById("status").textContent.startsWith("ended") &&
    !document.querySelector("#rows tr.provisional") &&
    document.querySelectorAll("#plot circle.pt").length > 0,
    null, { timeout: 20000 });
  await new Promise(r => setTimeout(r, 300));	// the last render
  const d = await dump();
  d.errors = errors;
  d.external = external;
  fs.writeFileSync(path.join(dir, "dom.json"), JSON.stringify(d));
  await page.screenshot({ path: path.join(dir, "dashboard.png") });
} finally {
  await browser.close();
}
