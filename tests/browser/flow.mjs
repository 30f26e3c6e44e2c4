// regflow's web pages end to end in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core; no browser download). Starts `regflow serve --demo` in a fresh folder,
// walks a second-hand transfer from the online application to the applicant's rating with
// every officer in their own browser, queries at the kiosk, opens the supervisor's report,
// and checks the refusals: another centre's clerk, another applicant's URL, a POST without
// the CSRF field. Screenshots of each page go to target/screenshots/.
//
//   node flow.mjs [PATH-TO-regflow-BINARY]

import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const bin = resolve(process.argv[2] ?? join(root, "target/debug/regflow"));
const shots = join(root, "target/screenshots");
mkdirSync(shots, { recursive: true });
const UNIT = "630102001001GB00001F00010001";
const deadline = setTimeout(() => { console.error("FAIL: the browser suite ran over 300 s"); process.exit(1); }, 300_000);

function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "regflow-browser-"));
  const child = spawn(bin, ["serve", "--demo", "--listen", "127.0.0.1:0"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const url = out.match(/^(http:\/\/[^\s]+)/m);
      if (url && existsSync(join(dir, "regflow-demo.env"))) {
        const env = readFileSync(join(dir, "regflow-demo.env"), "utf8");
        const tokens = Object.fromEntries([...env.matchAll(/export TOKEN_(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
        ok({ child, dir, url: url[1], tokens });
      }
    });
    child.on("exit", (code) => fail(new Error(`regflow serve exited ${code}`)));
  });
}

const { child, dir, url, tokens } = await startServer();
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

async function person(token, area) {
  const context = await browser.newContext({ baseURL: url, locale: "zh-CN", viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(area);
  if (!loginsAudited.has(area)) {
    loginsAudited.add(area);
    await audit(page, `sign-in ${area}`);
  }
  track(page, token.slice(0, 6));
  await page.fill("#token", token);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button")]);
  assert.equal(await page.locator("#token").count(), 0, `signed in at ${area}`);
  return page;
}

// Every id of the SPEC a person could be shown instead of its Chinese name (the label
// table's keys): snake_case ones are caught by their underscore, these by name.
const IDS = new Set([
  "window", "online", "bank", "kiosk", "court", "standard", "military", "obligee", "obligor", "pending",
  "succeeded", "failed", "individual", "organisation", "clerk", "reviewer", "registrar", "supervisor",
  "applicant", "reporter", "accepted", "reviewed", "recorded", "suspended", "completed", "rejected",
  "withdrawn", "returned", "promise", "statutory", "warning", "breach", "passport", "other", "xining",
  "haidong", "owner", "authority", "staff", "refused", "answered", "deferred", "valid", "superseded",
  "cancelled", "title", "certification", "registered", "unknown", "seized", "mortgaged", "objection",
  "mortgage", "seizure", "cancellation", "change", "correction", "tax",
]);
const audits = { words: [], times: [], phone: [], axe: [] };
const audited = [];
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");

// What a person reads on `page`: no SPEC id (an English snake_case word or one of IDS),
// no RFC 3339 time, no sideways scroll at 390 px, no serious or critical axe violation.
async function audit(page, name) {
  audited.push(name);
  const text = await page.evaluate(() => document.body.innerText);
  const words = [...new Set(text.split(/[^A-Za-z0-9_-]+/).filter((w) => /^[a-z]+(_[a-z]+)+$/.test(w) || IDS.has(w)))];
  if (words.length) audits.words.push(`${name}: ${words.join(", ")}`);
  const times = text.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g);
  if (times) audits.times.push(`${name}: ${times.slice(0, 3).join(", ")}`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) audits.phone.push(`${name}: ${overflow} px too wide`);
  await page.setViewportSize(size);
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(" ")}`));
  if (found.length) audits.axe.push(`${name}: ${found.join("; ")}`);
}

// Every page a person opened, to audit once more at the end (or before their browser
// closes): GET pages only, revisited with the same session.
const tracked = [];
const loginsAudited = new Set();
function track(page, who) {
  const urls = new Set();
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) urls.add(f.url()); });
  tracked.push({ page, who, urls });
}
async function auditVisited(page) {
  for (const entry of tracked.filter((t) => t.page === page)) {
    for (const u of [...entry.urls]) {
      const where = new URL(u);
      if (where.pathname.startsWith("/v1/") || where.pathname.startsWith("/assets/")) continue;
      await page.goto(u);
      await audit(page, `${where.pathname}${where.search}`);
    }
    entry.urls.clear();
  }
}

async function shot(page, name) {
  await audit(page, name);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function send(page, command, fill = async () => {}) {
  const form = page.locator(`form[data-command='${command}']`);
  assert.equal(await form.count(), 1, `the page offers ${command}`);
  await fill(form);
  await Promise.all([page.waitForNavigation(), form.locator("button[type=submit]").click()]);
  const error = page.locator("p.error");
  if (await error.count()) throw new Error(`${command} refused: ${await error.textContent()}`);
}

const state = async (page) => (await page.locator("#state").textContent()).trim();
let passed = 0;
const check = (what, ok) => { assert.ok(ok, what); passed += 1; console.log(`ok - ${what}`); };

try {
  // 张三 applies online with the checklist.
  const zhang = await person(tokens.ZHANGSAN, "/");
  check("用户信息 shows the applicant and the real-name status", (await zhang.textContent("main")).includes("已实名"));
  await shot(zhang, "portal");
  await zhang.goto("/guides");
  check("办事指南 lists the kinds with their materials", (await zhang.locator("section.card").count()) >= 10);
  await shot(zhang, "guides");
  await zhang.goto("/apply?kind=transfer_second_hand");
  await zhang.fill("#unit", UNIT);
  // 张三 sells to 李四: his own role, and the buyer with her share.
  await zhang.selectOption("#p0_role", "obligor");
  await zhang.fill("#p1_name", "李四");
  await zhang.fill("#p1_id", "630102199211080028");
  await zhang.selectOption("#p1_role", "obligee");
  await zhang.fill("#p1_share", "1/1");
  // Nothing is ticked for him: he ticks what he uploads, all but the 户口簿 and, first, the
  // 买卖合同 (a key material) — and is told before anything is sent.
  for (const box of await zhang.locator("input[name=materials]").all()) await box.check();
  await zhang.getByLabel("户口簿").uncheck();
  await zhang.getByLabel("买卖合同（要件）").uncheck();
  let warned = "";
  zhang.once("dialog", async (d) => { warned = d.message(); await d.dismiss(); });
  await zhang.click("form[action='/apply'][method=post] button");
  await zhang.waitForTimeout(300);
  check("a key material left out online is named before sending, and nothing is sent",
    warned.includes("买卖合同") && new URL(zhang.url()).pathname === "/apply");
  await zhang.getByLabel("买卖合同（要件）").check();
  await shot(zhang, "apply");
  await Promise.all([zhang.waitForNavigation(), zhang.click("form[action='/apply'][method=post] button")]);
  const caseUrl = new URL(zhang.url());
  const id = caseUrl.pathname.split("/").pop();
  check("the application waits for pre-review", (await state(zhang)) === "待预审");

  // The clerk returns it with a problem; 张三 amends; the clerk passes it.
  const clerk = await person(tokens.CLERK, "/staff");
  await clerk.goto(`/staff/cases/${id}`);
  check("pre-review shows what the application lacks", (await clerk.locator("#lacking").textContent()).includes("户口簿"));
  const parties = await clerk.locator("dt:text('申请人') + dd").textContent();
  check("the seller and the buyer are recorded with their roles and share",
    parties.includes("张三") && parties.includes("义务人") && parties.includes("李四") && parties.includes("权利人，份额 1/1"));
  await send(clerk, "pre_review", async (f) => f.locator("textarea").fill("婚姻状况证明不清晰，请重新上传"));
  check("pre-review returned it", (await state(clerk)) === "退回补正");
  await zhang.goto(`/my/cases/${id}`);
  check("the applicant sees the problems to amend", (await zhang.locator("#problems").textContent()).includes("婚姻状况证明"));
  await shot(zhang, "my_case_returned");
  await Promise.all([zhang.waitForNavigation(), zhang.locator("form:has(input[value=amend]) button").click()]);
  check("amended, it waits for pre-review again", (await state(zhang)) === "待预审");
  await clerk.goto(`/staff/cases/${id}`);
  await send(clerk, "pre_review", async (f) => f.getByLabel("预审通过").check());
  check("pre-review passed: the one visit is due", (await state(clerk)) === "待现场核验");
  await clerk.goto("/staff");
  check("the case waiting for the visit is in the clerk's queue",
    (await clerk.locator(`table[data-queue=clerk] a[href='/staff/cases/${id}']`).count()) === 1);
  await clerk.fill("#q", "630102199211080028");
  await Promise.all([clerk.waitForNavigation(), clerk.click("form[action='/staff/search'] button")]);
  check("the clerk finds it by the buyer's ID number",
    (await clerk.locator(`table[data-queue=search] a[href='/staff/cases/${id}']`).count()) === 1);
  await clerk.goto(`/staff/cases/${id}`);

  // The one visit: the clerk accepts at the window with the originals.
  // The 户口簿 left out online is brought to the window: the clerk ticks it.
  await send(clerk, "accept", async (f) => f.getByLabel("户口簿").check());
  check("accepted at the window", (await state(clerk)) === "已受理");
  await shot(clerk, "staff_case");

  // At the window, a key material missing: not accepted, everything missing told at once.
  await clerk.goto("/staff/accept?kind=change");
  await clerk.fill("#unit", UNIT);
  await clerk.fill("#p1_name", "张三");
  await clerk.fill("#p1_id", "630102198503120015");
  // The form ticks nothing: the clerk ticks what was handed in, all but the 变更证明.
  check("the window form ticks no material by itself",
    (await clerk.locator("input[name=materials]:checked").count()) === 0);
  for (const box of await clerk.locator("input[name=materials]").all()) await box.check();
  await clerk.getByLabel("变更证明（要件）").uncheck();
  let told = "";
  clerk.once("dialog", async (d) => { told = d.message(); await d.accept(); });
  await Promise.all([clerk.waitForNavigation(), clerk.click("form[action='/staff/accept'][method=post] button")]);
  check("the clerk is warned of the missing key material before sending", told.includes("变更证明"));
  check("a missing key material: not accepted", (await state(clerk)) === "不予受理");
  check("一次性告知 lists what is missing", (await clerk.locator("#missing").textContent()).includes("变更证明"));
  await shot(clerk, "staff_not_accepted");
  await clerk.goto(`/staff/cases/${id}`);

  // Tax and transaction filing, review, record, issue.
  for (const [token, command] of [[tokens.TAX, "complete_task"], [tokens.TRANSACTION, "complete_task"], [tokens.REVIEWER, "review"], [tokens.REGISTRAR, "record"]]) {
    const officer = await person(token, "/staff");
    if (command === "review") {
      check("the case is in the reviewer's queue", (await officer.locator(`table[data-queue=reviewer] a[href='/staff/cases/${id}']`).count()) === 1);
      await shot(officer, "workbench");
    }
    await officer.goto(`/staff/cases/${id}`);
    await send(officer, command);
    await auditVisited(officer);
    await officer.context().close();
  }
  await clerk.goto(`/staff/cases/${id}`);
  check("recorded, waiting for the certificate", (await state(clerk)) === "已登簿");
  await send(clerk, "issue_certificate");
  check("completed", (await state(clerk)) === "已办结");
  check("the history's chain is verified", (await clerk.locator("#chain").textContent()).includes("完整"));
  await Promise.all([clerk.waitForNavigation(), clerk.click("#unit-link")]);
  check("the case's unit page names the buyer as owner, identifier masked",
    (await clerk.textContent("#unit-page")).includes("已登记") && (await clerk.textContent("main")).includes("630102********0028"));
  await shot(clerk, "staff_unit");

  // 张三 sees it completed in 我的业务 and rates it.
  await zhang.goto("/my");
  check("我的业务 shows it completed", (await zhang.locator("td.state-completed").count()) >= 1);
  await shot(zhang, "my_cases");
  await zhang.goto(`/my/cases/${id}`);
  // The electronic certificate: its number, 有效, a QR code, a download, and the public
  // verification its QR code points at (no names there).
  check("the certificate's number is shown", (await zhang.textContent("#certificate-number")).startsWith("青(2026)西宁市不动产权第"));
  check("the certificate is valid", (await zhang.textContent("#certificate-status")) === "有效");
  check("the header names the centre, not its id", (await zhang.textContent("header")).includes("西宁市不动产登记中心"));
  check("the certificate has a QR code", (await zhang.locator("#certificate svg").count()) === 1);
  const [download] = await Promise.all([zhang.waitForEvent("download"), zhang.click("#certificate-download")]);
  check("the certificate downloads", download.suggestedFilename().startsWith("certificate-"));
  const verifyUrl = await zhang.getAttribute("#certificate-verify", "href");
  const verified = await (await zhang.request.get(verifyUrl)).json();
  check("the QR code's address answers valid without names", verified.status === "valid" && !JSON.stringify(verified).includes("张三"));
  await shot(zhang, "certificate");
  await Promise.all([zhang.waitForNavigation(), zhang.locator("form:has(input[value=evaluate]) button").click()]);
  check("rated 5", (await zhang.textContent("main")).includes("5 星"));

  // A POST without the CSRF field is refused, and so is a cross-site one.
  const forged = await zhang.request.post(`/my/cases/${id}`, { form: { command: "evaluate", rating: "1" } });
  check("a POST without the CSRF field is refused (403)", forged.status() === 403);

  // The kiosk answers an owner's query with the page and refuses anyone else (SPEC 15.2):
  // 张三 sold the unit to 李四.
  const kiosk = await person(tokens.KIOSK, "/kiosk");
  const ask = async (name, idNumber) => {
    await kiosk.fill("#name", name);
    await kiosk.fill("#id", idNumber);
    await kiosk.fill("#unit", UNIT);
    await Promise.all([kiosk.waitForLoadState(), kiosk.click("form.kiosk button")]);
  };
  await ask("张三", "630102198503120015");
  check("the kiosk refuses a former owner, in Chinese", (await kiosk.textContent("p.error")).includes("不是该不动产登记簿记载的现权利人"));
  check("the refusal shows no page", (await kiosk.locator("#answer-unit-page").count()) === 0);
  await ask("李四", "630102199211080028");
  await kiosk.waitForSelector("#result");
  check("the kiosk query completed on the spot", (await kiosk.textContent("#result")).includes("已办结"));
  check("the kiosk shows the owner's page", (await kiosk.textContent("#answer-unit-page")).includes("已登记")
    && (await kiosk.textContent("#result")).includes("李四"));
  check("the page on the kiosk masks identifiers", (await kiosk.textContent("#result")).includes("630102********0028")
    && !(await kiosk.textContent("#result")).includes("630102199211080028"));
  check("the kiosk gives the 查询结果证明's number", (await kiosk.textContent("#query-result-number")).startsWith("青(2026)西宁市不动产查询第"));
  check("a public kiosk offers no download", (await kiosk.locator("#query-result-download").count()) === 0);
  const resultVerify = await kiosk.getAttribute("#query-result-verify", "href");
  const resultVerified = await (await kiosk.request.get(resultVerify)).json();
  check("the 查询结果证明 verifies without names", resultVerified.status === "valid" && !JSON.stringify(resultVerified).includes("李四"));
  check("a public kiosk offers no 退出", (await kiosk.locator("form[action='/logout']").count()) === 0);
  check("the kiosk says it returns to its start screen", (await kiosk.locator("#return").count()) === 1);
  await shot(kiosk, "kiosk");
  await kiosk.waitForSelector("#result", { state: "detached", timeout: 40000 });
  check("the kiosk returned to its start screen by itself", (await kiosk.locator("#name").inputValue()) === "");

  // 我的不动产: 李四 owns the unit, with its page and the certificate; 张三 no longer does.
  const li = await person(tokens.LISI, "/my/units");
  check("我的不动产 lists the unit 李四 owns", (await li.locator(`article.my-unit[data-unit='${UNIT}']`).count()) === 1);
  check("我的不动产 shows its certificate, valid, with a QR code",
    (await li.textContent("article.my-unit .certificate dd.certificate-valid")) === "有效"
    && (await li.locator("article.my-unit .certificate svg").count()) >= 1);
  await shot(li, "my_units");
  await zhang.goto("/my/units");
  check("张三 sold: 我的不动产 is empty", (await zhang.locator("#no-units").count()) === 1);

  // The supervisor reads the query log: the refusal is in it, and the chain holds.
  const lead = await person(tokens.SUPERVISOR, "/staff/query-log");
  check("the query log keeps the kiosk's refusal", (await lead.locator("#query-log tr.outcome-refused").count()) >= 1);
  check("the query log keeps the answer", (await lead.locator("#query-log tr.outcome-answered").count()) === 1);
  check("the query log's chain is intact", (await lead.textContent("#log-chain")).includes("完整"));
  check("the query log masks identifiers", !(await lead.textContent("#query-log")).includes("630102198503120015"));
  await lead.fill("#querier", "630102198503120015");
  await Promise.all([lead.waitForNavigation(), lead.click("#log-filters button")]);
  check("the query log filters by querier", (await lead.locator("#query-log tbody tr").count()) >= 1
    && (await lead.locator("#query-log tr.outcome-answered").count()) === 0);
  await shot(lead, "query_log");
  const answered = await (await lead.request.get("/staff/query-log")).text();
  const queryCase = answered.match(/href="\/staff\/cases\/([^"]+)"/)[1];
  await lead.goto(`/staff/cases/${queryCase}`);
  check("the workbench shows the query's result", (await lead.textContent("#query-result-number")).startsWith("青(2026)西宁市不动产查询第")
    && (await lead.locator("#answer-unit-page").count()) === 1);
  await auditVisited(lead);
  await lead.context().close();

  // The supervisor's report shows the cases; the workbench its queues.
  const supervisor = await person(tokens.SUPERVISOR, "/staff");
  await supervisor.goto("/staff/report");
  const overall = await supervisor.locator("#figures tbody tr").first().locator("td").first().textContent();
  check("the report counts the cases opened", Number(overall) >= 2);
  check("the report counts the queries: the kiosk's answer and its refusal",
    (await supervisor.locator("#query-figures tbody tr").count()) >= 1
    && (await supervisor.textContent("#query-figures")).includes("自助机"));
  const overlaps = await supervisor.evaluate(() => [...document.querySelectorAll("svg.chart")].flatMap((chart) => {
    const bars = [...chart.querySelectorAll("rect")].map((r) => r.getBoundingClientRect());
    return [...chart.querySelectorAll("text")].filter((t) => {
      const box = t.getBoundingClientRect();
      return bars.some((b) => b.width > 0 && box.right > b.left + 0.5 && box.left < b.right && box.bottom > b.top && box.top < b.bottom);
    }).map((t) => t.textContent);
  }));
  check(`the report's chart labels stay clear of its bars ${JSON.stringify(overlaps)}`, overlaps.length === 0);
  await shot(supervisor, "report");
  const reviewer = await person(tokens.REVIEWER, "/staff");
  check("the workbench shows live alerts and queues", (await reviewer.locator("#alerts").count()) === 1);
  await auditVisited(reviewer);
  await reviewer.context().close();

  // Centre B's clerk cannot open it; another applicant cannot either.
  const other = await person(tokens.CLERK_HAIDONG, "/staff");
  const elsewhere = await other.goto(`/staff/cases/${id}`);
  check("another centre's clerk gets 404", elsewhere.status() === 404);
  const wang = await person(tokens.WANGWU, "/");
  const theirs = await wang.goto(`/my/cases/${id}`);
  check("another applicant's URL gets 404", theirs.status() === 404);
  check("the 404 is a page in Chinese, not JSON", (await wang.textContent("h1")) === "未找到");
  await wang.goto("/my");
  check("another applicant's 我的业务 is empty", (await wang.locator("td.state-completed").count()) === 0);
  // Signing in from a deep link returns to it; the staff see the applicant's rating.
  const deep = await (await browser.newContext({ baseURL: url, locale: "zh-CN" })).newPage();
  track(deep, "deep");
  await deep.goto(`/staff/cases/${id}`);
  check("a deep link asks to sign in first", (await deep.locator("#token").count()) === 1);
  await deep.fill("#token", tokens.SUPERVISOR);
  await Promise.all([deep.waitForNavigation(), deep.click("form[action='/login'] button")]);
  check("signing in from a deep link lands on it", new URL(deep.url()).pathname === `/staff/cases/${id}`);
  check("the staff see the applicant's 好差评", (await deep.textContent("#evaluation")).includes("5 星"));
  await auditVisited(deep);
  await deep.context().close();
  const staffTokenOnPortal = await browser.newContext({ baseURL: url });
  const p = await staffTokenOnPortal.newPage();
  await p.goto("/");
  await p.fill("#token", tokens.CLERK);
  await Promise.all([p.waitForNavigation(), p.click("form[action='/login'] button")]);
  check("a staff token does not sign in to the portal", (await p.locator("p.error").count()) === 1);

  // Pages stay usable on a phone.
  const phone = await browser.newContext({ baseURL: url, viewport: { width: 390, height: 844 }, isMobile: true });
  const small = await phone.newPage();
  await small.goto("/guides");
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("the guides fit a phone's width", overflow <= 1);
  await small.screenshot({ path: join(shots, "guides_phone.png") });
  // 我的业务 on a phone: every case a card, its link on screen, no sideways scroll.
  await small.goto("/");
  await small.fill("#token", tokens.ZHANGSAN);
  await Promise.all([small.waitForNavigation(), small.click("form[action='/login'] button")]);
  await small.goto("/my");
  const mine = await small.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    linkRight: Math.max(...[...document.querySelectorAll("table.list a")].map((a) => a.getBoundingClientRect().right)),
  }));
  check("我的业务 fits a phone's width", mine.overflow <= 1);
  check("我的业务's links are on screen", mine.linkRight <= 390);
  await small.screenshot({ path: join(shots, "my_cases_phone.png") });
  // Every page visited, audited as a person reads it.
  for (const entry of [...tracked]) await auditVisited(entry.page);
  console.log(`audited ${audited.length} pages: ${audited.join(" | ")}`);
  check("every kind of page was audited", audited.length >= 30);
  check(`no page shows an English id where a person reads ${JSON.stringify(audits.words)}`, audits.words.length === 0);
  check(`no page shows an RFC 3339 time ${JSON.stringify(audits.times)}`, audits.times.length === 0);
  check(`no page scrolls sideways on a phone ${JSON.stringify(audits.phone)}`, audits.phone.length === 0);
  check(`axe finds no serious or critical violation ${JSON.stringify(audits.axe)}`, audits.axe.length === 0);
  console.log(`browser suite: ${passed} checks passed; screenshots in ${shots}`);
} finally {
  clearTimeout(deadline);
  await browser.close();
  child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
