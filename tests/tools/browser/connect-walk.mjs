// Walks the hosted connect page in Debian's Chromium with puppeteer-core, as a person would:
// opens the link, connects GitHub through the authorization server, fills Billing's API-key
// form wrongly then rightly, disconnects GitHub, is refused a cross-site form post, and opens
// a used and an expired link in another browser; one browser without JavaScript posts an empty
// form. Screenshots at phone (390x844) and desktop (1280x800) widths go to SHOTS. It prints what
// it saw as JSON; tests/tests/connect_page.rs starts it and asserts.
//
//     node connect-walk.mjs '{"link", "noJsLink", "expiredLink", "attackerUrl", "shots"}'

import puppeteer from "puppeteer-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const input = JSON.parse(process.argv[2]);
mkdirSync(input.shots, { recursive: true });
const PHONE = { width: 390, height: 844, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { width: 1280, height: 800, deviceScaleFactor: 1 };
const report = { shots: [] };
let current; // the page in use, to say where a failure happened

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/lib/chromium/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

const shot = async (page, name, viewport) => {
  await page.setViewport(viewport);
  const path = join(input.shots, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  report.shots.push(`${name}.png`);
};
const text = (page, selector) =>
  page.$eval(selector, (e) => e.textContent.replace(/\s+/g, " ").trim()).catch(() => null);
// Clicks `selector` and waits for the page it leads to.
const follow = async (page, selector) => {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
};

try {
  // 1. The link: the cookie is set, the secret leaves the address bar.
  const person = await browser.createBrowserContext();
  const page = await person.newPage();
  current = page;
  await page.setViewport(DESKTOP);
  await page.goto(input.link, { waitUntil: "load" });
  report.landed = page.url();
  report.cookies = (await page.cookies()).map(({ name, httpOnly, sameSite, secure, path }) => ({
    name, httpOnly, sameSite, secure, path,
  }));
  report.heading = await text(page, "h1");
  report.statuses = await page.$$eval(".card", (cards) =>
    Object.fromEntries(cards.map((c) => [c.id.replace("card-", ""), c.querySelector(".status").textContent.replace(/\s+/g, " ").trim()])),
  );
  // Every visible input has a label; keyboard focus starts at the search box.
  report.unlabelled = await page.$$eval("input:not([type=hidden])", (inputs) =>
    inputs.filter((i) => i.labels.length === 0).map((i) => i.id),
  );
  await page.keyboard.press("Tab");
  report.first_tab = await page.evaluate(() => document.activeElement.id);
  await shot(page, "page-desktop", DESKTOP);
  await shot(page, "page-phone", PHONE);
  report.phone_overflow = await page.evaluate(
    () => document.documentElement.scrollWidth > window.innerWidth,
  );

  // 2. Live search (the script), then back to every card.
  await page.type("#search", "calendar");
  report.search_visible = await page.$$eval(".card", (cards) =>
    cards.filter((c) => !c.hidden).map((c) => c.id.replace("card-", "")),
  );
  report.search_count = await text(page, "#search-count");
  await page.$eval("#search", (e) => {
    e.value = "";
    e.dispatchEvent(new Event("input"));
  });

  // 3. Connect GitHub: the authorization server consents at once and sends the browser back.
  await page.setViewport(DESKTOP);
  await follow(page, "#card-github form.connect-form button[type=submit]");
  await page.waitForSelector("#notice");
  report.after_connect = { url: page.url(), notice: await text(page, "#notice") };
  report.github_status = await text(page, "#card-github .status");
  await shot(page, "connected-desktop", DESKTOP);

  // 4. Billing's API-key form: blank (only spaces) is refused as typed and on submit, in words.
  // (A change to or from a phone viewport reloads the page: set it before typing.)
  await page.setViewport(PHONE);
  await page.type("#billing-api_key", "   ");
  await page.click("#card-billing form.connect-form button[type=submit]");
  report.key_error = await text(page, "#billing-api_key-error");
  report.key_invalid = await page.$eval("#billing-api_key", (e) => e.getAttribute("aria-invalid"));
  report.key_focused = await page.evaluate(() => document.activeElement.id);
  await page.$eval("#card-billing", (e) => e.scrollIntoView());
  await shot(page, "form-error-phone", PHONE);
  await page.$eval("#billing-api_key", (e) => (e.value = ""));
  await page.type("#billing-api_key", "sk-live-123");
  report.key_error_after = await text(page, "#billing-api_key-error");
  await follow(page, "#card-billing form.connect-form button[type=submit]");
  report.after_key = { url: page.url(), notice: await text(page, "#notice") };

  // 5. Disconnect GitHub: asked once, then done.
  await page.setViewport(DESKTOP);
  await page.click("#card-github details.disconnect summary");
  report.confirm = await text(page, "#card-github details.disconnect p");
  await follow(page, "#card-github details.disconnect button[type=submit]");
  report.after_disconnect = { url: page.url(), notice: await text(page, "#notice") };
  report.github_status_after = await text(page, "#card-github .status");
  await shot(page, "disconnected-phone", PHONE);

  // 6. A page on another origin posts a form to Disconnect Billing: refused.
  await page.setViewport(DESKTOP);
  await page.goto(input.attackerUrl, { waitUntil: "load" });
  await page.waitForFunction(() => location.pathname.startsWith("/connect"), { timeout: 10000 });
  await page.waitForSelector("h1");
  report.cross_site = { url: page.url(), heading: await text(page, "h1") };

  // 7. The same link from another browser, after use; then an expired link.
  const stranger = await browser.createBrowserContext();
  const other = await stranger.newPage();
  await other.setViewport(PHONE);
  const replay = await other.goto(input.link, { waitUntil: "load" });
  report.replay = { status: replay.status(), heading: await text(other, "h1") };
  await shot(other, "link-used-phone", PHONE);
  const expired = await other.goto(input.expiredLink, { waitUntil: "load" });
  report.expired = { status: expired.status(), heading: await text(other, "h1") };
  await shot(other, "link-expired-desktop", DESKTOP);

  // 8. Without JavaScript: the server validates and names the field.
  const plain = await browser.createBrowserContext();
  const noJs = await plain.newPage();
  await noJs.setJavaScriptEnabled(false);
  await noJs.setViewport(DESKTOP);
  await noJs.goto(input.noJsLink, { waitUntil: "load" });
  await follow(noJs, "#card-billing form.connect-form button[type=submit]");
  report.no_js = {
    error: await text(noJs, "#billing-api_key-error"),
    invalid: await noJs.$eval("#billing-api_key", (e) => e.getAttribute("aria-invalid")),
  };
} catch (error) {
  report.failure = String(error.stack ?? error);
  if (current) {
    report.failure_page = {
      url: current.url(),
      text: await current.evaluate(() => document.body?.innerText?.slice(0, 500)).catch(() => null),
    };
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report) + "\n");
