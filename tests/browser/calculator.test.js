// calculator.test.js -- the calculator page (server/assets) in headless
// Chromium, against `huimin serve` and `huimin run --given`.
//
//   node calculator.test.js URL CHROMIUM HUIMIN PACK AS_OF HOUSEHOLDS_DIR OUT_DIR
//
// For each household file the page is filled as a person would: every
// question the page asks is answered from the file, or with "不知道" where
// the file has no value; then what the page shows per programme (status,
// amount, period) must be what `huimin run --given` decides for the same
// household.  Along the way: focus on each new question, every input
// labelled, no horizontal scroll at 360 px, a keyboard-only pass, the
// "back" path.  One screenshot per household goes to OUT_DIR.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const puppeteer = require("puppeteer-core");

const [url, chromium, huimin, pack, asOf, hhDir, outDir] = process.argv.slice(2);
let failures = 0, passes = 0;
function ok(cond, what) {
  if (cond) passes++;
  else { failures++; console.log("FAIL: " + what); }
}

function field(fact) { return fact.slice(fact.indexOf(".") + 1); }
function plain(v) { return v && typeof v === "object" && !Array.isArray(v) && "value" in v ? v.value : v; }
// The value of question Q in household H, or undefined.
function valueOf(h, q) {
  const o = q.member ? h.household.members[q.member - 1] : h.household;
  const v = o ? o[field(q.fact)] : undefined;
  return v === undefined || v === null ? undefined : plain(v);
}

// `huimin run --given` of household H: its decisions by policy/member.
function runGiven(h, name) {
  const f = path.join(outDir, name + ".given.json");
  fs.writeFileSync(f, JSON.stringify(h, null, 2));
  const out = execFileSync(huimin, ["run", pack, "--given", f, "--as-of", asOf, "--format", "json"], { encoding: "utf8" });
  return JSON.parse(out).decisions;
}
const key = (d) => d.policy + "/" + (d.member || "");

async function settle(page) {
  await page.waitForFunction(() => document.body.getAttribute("aria-busy") !== "true" &&
    (document.querySelector("#step form[data-fact]") || document.querySelector("#result-title") ||
     document.querySelector("#step form[data-step=household]") || !document.getElementById("error").hidden),
    { timeout: 20000 });
  const err = await page.$eval("#error", (e) => (e.hidden ? "" : e.textContent));
  if (err) throw new Error("the page shows an error: " + err);
}

// Checks that hold at every step.
async function checkStep(page, what, narrow) {
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll("input, select, textarea"))
    .filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label") &&
      !e.getAttribute("aria-labelledby")).map((e) => e.outerHTML));
  ok(unlabelled.length === 0, what + ": inputs without a label: " + unlabelled.join(" "));
  if (narrow) {
    const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    ok(w[0] <= w[1], what + ": horizontal scroll at 360 px (" + w[0] + " > " + w[1] + ")");
  }
}

async function question(page) {
  return page.evaluate(() => {
    const f = document.querySelector("#step form[data-fact]");
    return f ? { fact: f.dataset.fact, member: f.dataset.member ? Number(f.dataset.member) : null, type: f.dataset.type } : null;
  });
}

// Press Tab until the focused element matches SEL; false if it never does.
async function tabTo(page, sel) {
  for (let i = 0; i < 60; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), sel)) return true;
    await page.keyboard.press("Tab");
  }
  return false;
}

// Answer the question shown with V (undefined: "不知道"), by mouse or by
// keyboard only.
async function answer(page, q, v, keyboard) {
  if (!keyboard) {
    if (v === undefined || q.type === "list") return page.click("#step [data-action=unknown]");
    if (q.type === "records") {
      // one row of date and amount each, the first one already there
      for (let i = 0; i < v.length; i++) {
        if (i > 0) await page.click("#step fieldset > button");
        const row = `#step .rows li:nth-child(${i + 1})`;
        await page.$eval(row + " input[type=date]", (e, x) => { e.value = x; }, String(v[i].date));
        await page.type(row + " input[inputmode=decimal]", String(v[i].value));
      }
    } else if (q.type === "bool") await page.click(`#step input[type=radio][value=${v}]`);
    else if (q.type === "code") await page.select("#step select", String(v));
    else if (q.type === "date") await page.$eval("#step form input", (e, x) => { e.value = x; }, String(v));
    else {
      await page.$eval("#step form input", (e) => { e.value = ""; });
      await page.type("#step form input", String(v));
    }
    return page.click("#step [data-action=next]");
  }
  if (v === undefined || q.type === "records" || q.type === "list") {
    ok(await tabTo(page, "[data-action=unknown]"), "keyboard: reach 不知道");
    return page.keyboard.press("Enter");
  }
  if (q.type === "bool") {
    // focus is on 是; Space picks it, an arrow moves to 否 and picks it
    await page.keyboard.press(v ? "Space" : "ArrowRight");
  } else if (q.type === "code") {
    for (let i = 0; i < 40 && await page.$eval("#step select", (s) => s.value) !== String(v); i++)
      await page.keyboard.press("ArrowDown");
  } else if (q.type === "date") {
    const [y, m, d] = String(v).split("-");
    await page.keyboard.type(m + d + y);   // the en-US order of Chromium's date field
  } else {
    await page.keyboard.type(String(v));
  }
  ok(await tabTo(page, "[data-action=next]"), "keyboard: reach 下一步");
  return page.keyboard.press("Enter");
}

// Fill the page with household H until the result shows; SKIP: facts
// answered "不知道" although H has them.  Returns the facts asked.
async function fill(page, h, opt) {
  const asked = [];
  for (let n = 0; n < 300; n++) {
    await settle(page);
    const q = await question(page);
    if (!q) return asked;
    const what = `${opt.name}: question ${q.fact}${q.member ? " of member " + q.member : ""}`;
    ok(!asked.some((a) => a.fact === q.fact && a.member === q.member), what + " asked twice");
    asked.push(q);
    ok(await page.evaluate(() => !!document.activeElement && !!document.activeElement.closest("#step")),
      what + ": the focus is on the new question");
    await checkStep(page, what, opt.narrow);
    const v = (opt.skip || []).includes(q.fact) ? undefined : valueOf(h, q);
    if (opt.back && asked.length === 2 && !opt.wentBack) {
      opt.wentBack = true;
      // back to the first question: its answer is shown, and kept when saved
      await page.click("#step [data-action=back]");
      await settle(page);
      const first = await question(page);
      ok(first && first.fact === asked[0].fact, opt.name + ": back shows the previous question");
      const shown = await page.evaluate(() => {
        const i = document.querySelector("#step form input:checked, #step form select, #step form input");
        return i ? i.value : null;
      });
      const want = valueOf(h, asked[0]);
      ok(want === undefined || shown === String(want), `${opt.name}: back shows the answer given (${shown} vs ${want})`);
      await page.click("#step [data-action=next]");
      asked.length = 1;
      continue;
    }
    await answer(page, q, v, opt.keyboard);
    const refused = await page.$eval("#step", (s) => {
      const e = s.querySelector(".field-error:not([hidden])");
      return e ? e.textContent : "";
    });
    if (refused) throw new Error(`${what}: the answer ${JSON.stringify(v)} was refused: ${refused}`);
  }
  throw new Error(opt.name + ": no result after 300 questions");
}

async function household(page, h, opt) {
  await page.goto(url, { waitUntil: "networkidle0" });
  await page.waitForSelector("#step form[data-step=household]");
  await checkStep(page, opt.name + ": members", opt.narrow);
  const n = h.household.members.length;
  if (opt.keyboard) {
    ok(await page.evaluate(() => document.activeElement && document.activeElement.name === "count"),
      opt.name + ": the focus is on the number of members");
    await page.keyboard.down("Control"); await page.keyboard.press("a"); await page.keyboard.up("Control");
    await page.keyboard.type(String(n));
  } else {
    await page.$eval("#step input[name=count]", (e) => { e.value = ""; });
    await page.type("#step input[name=count]", String(n));
  }
  for (let i = 0; i < n; i++) {
    const rel = plain(h.household.members[i].relation);
    if (rel) await page.select(`#step select[name=relation${i + 1}]`, rel);
  }
  if (opt.keyboard) {
    ok(await tabTo(page, "form[data-step=household] button[type=submit]"), opt.name + ": keyboard: reach 开始");
    await page.keyboard.press("Enter");
  } else {
    await page.click("#step form[data-step=household] button[type=submit]");
  }
}

// What the page shows per programme, against `huimin run --given`.
async function compare(page, h, name) {
  await page.waitForSelector("#result-title");
  const shown = await page.$$eval("#result .decision", (ls) => ls.map((l) => ({
    policy: l.dataset.policy, member: l.dataset.member ? Number(l.dataset.member) : null,
    status: l.dataset.status, amount: l.dataset.amount || null, period: l.dataset.period || null })));
  const want = runGiven(h, name);
  const byKey = new Map(shown.map((d) => [key(d), d]));
  ok(shown.length === want.length, `${name}: ${shown.length} programmes shown, huimin run decides ${want.length}`);
  for (const w of want) {
    const s = byKey.get(key(w));
    const wp = w.amount === null ? null : w.period;
    ok(s && s.status === w.status && s.amount === w.amount && s.period === wp,
      `${name}: ${key(w)}: the page shows ${s ? `${s.status} ${s.amount} ${s.period}` : "nothing"}, ` +
      `huimin run: ${w.status} ${w.amount} ${wp}`);
  }
  ok(await page.$eval("#result", (r) => r.getAttribute("aria-live") === "polite"), name + ": results in a live region");
  ok(await page.evaluate(() => document.activeElement && document.activeElement.id === "result-title"),
    name + ": the focus moves to the result");
  return { shown: byKey, want: new Map(want.map((d) => [key(d), d])) };
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US", "--no-first-run"]
  });
  const read = (n) => JSON.parse(fs.readFileSync(path.join(hhDir, n + ".json"), "utf8"));
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => ok(false, "a script error on the page: " + e.message));
    page.on("console", (m) => { if (m.type() === "error") ok(false, "console error: " + m.text()); });

    // 1. eligible (低保 with an amount), keyboard only, on a phone screen
    await page.setViewport({ width: 360, height: 740 });
    let h = read("eligible");
    await household(page, h, { name: "eligible", keyboard: true, narrow: true });
    await fill(page, h, { name: "eligible", keyboard: true, narrow: true });
    let r = await compare(page, h, "eligible");
    await checkStep(page, "eligible: result", true);
    ok(await page.$eval('#result .decision[data-policy=dibao] .why .text', (t) => t.textContent.indexOf("城乡居民最低生活保障") === 0),
      "eligible: 低保's citizen text is shown");
    const dibao = r.shown.get("dibao/");
    ok(dibao && dibao.status === "eligible" && dibao.amount && dibao.period === "month", "eligible: 低保 with an amount per month");
    ok(await page.evaluate(() => !document.cookie && localStorage.length === 0 && sessionStorage.length === 0),
      "eligible: nothing stored (cookies, localStorage, sessionStorage)");
    await page.screenshot({ path: path.join(outDir, "household-eligible.png"), fullPage: true });

    // 2. refused, with the mouse on a wide screen, going back once
    await page.setViewport({ width: 1024, height: 900 });
    h = read("refused");
    await household(page, h, { name: "refused" });
    await fill(page, h, { name: "refused", back: true });
    r = await compare(page, h, "refused");
    ok(r.shown.get("dibao/") && r.shown.get("dibao/").status === "not_eligible", "refused: 低保 refused");
    ok(await page.$$eval('#result .decision[data-status=not_eligible] .change li', (l) => l.length > 0),
      "refused: what would change the outcome is shown");
    // 修改 an answer from the list: the question comes back filled in; saved, the result is the same
    const firstFact = await page.$eval("#answer-list li:nth-child(2) .q", (e) => e.textContent);
    await page.click("#answer-list li:nth-child(2) button");
    await settle(page);
    const again = await question(page);
    ok(again && firstFact.indexOf(await page.$eval("#step form legend, #step form label", (e) => e.textContent)) === 0,
      "refused: 修改 shows the question answered: " + firstFact);
    await page.click("#step [data-action=next]");
    await fill(page, h, { name: "refused (changed)" });
    await compare(page, h, "refused-changed");
    await page.screenshot({ path: path.join(outDir, "household-refused.png"), fullPage: true });

    // 3. undetermined until the assets are given
    await page.setViewport({ width: 360, height: 740 });
    h = read("undetermined");
    const without = JSON.parse(JSON.stringify(h));
    delete without.household.assets;
    await household(page, h, { name: "undetermined", narrow: true });
    await fill(page, h, { name: "undetermined", skip: ["household.assets"], narrow: true });
    r = await compare(page, without, "undetermined-first");
    ok(await page.$eval("#answer-list", (l) => l.textContent.includes("2024-03-10 1200.00元；2024-05-02 800.50元")),
      "undetermined: the dated amounts entered are listed");
    ok(r.shown.get("dibao/") && r.shown.get("dibao/").status === "undetermined", "undetermined: 低保 undetermined without the assets");
    const needs = await page.$$eval('#result .decision[data-policy=dibao] .change li', (l) => l.map((x) => x.textContent));
    ok(needs.length === 1, "undetermined: 低保 waits on one fact: " + needs.join(", "));
    await page.click('#result .decision[data-policy=dibao] [data-action=answer-more]');
    await settle(page);
    const q = await question(page);
    ok(q && q.fact === "household.assets", "undetermined: the page asks for the assets, not " + (q && q.fact));
    await fill(page, h, { name: "undetermined", narrow: true });
    r = await compare(page, h, "undetermined");
    const d = r.shown.get("dibao/");
    ok(d && d.status === "eligible" && d.amount, "undetermined: 低保 settled with the assets");
    await checkStep(page, "undetermined: result", true);
    await page.screenshot({ path: path.join(outDir, "household-undetermined.png"), fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.log("FAIL: " + (e && e.stack ? e.stack : e)); process.exit(1); });
