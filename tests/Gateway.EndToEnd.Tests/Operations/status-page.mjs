// Drives the gateway's status page in Debian's Chromium through playwright-core (no browser download).
// Usage: node status-page.mjs <gatewayBaseUrl> <adminKey> <deadLetterId> <expectedReasonText> <importId> <expectedImportText> <screenshotPath>
// Prints one JSON line with what it saw; exits non-zero with the reason when a check fails.
import { check, withStatusPage } from "./status-browser.mjs";

const [baseUrl, adminKey, deadLetterId, expectedReason, importId, expectedImport, screenshotPath] = process.argv.slice(2);
if (!screenshotPath) {
  console.error("usage: node status-page.mjs <baseUrl> <adminKey> <deadLetterId> <expectedReason> <importId> <expectedImport> <screenshotPath>");
  process.exit(2);
}
await withStatusPage(baseUrl, { label: "status page", viewport: { width: 1280, height: 860 } }, async (page, origin) => {
  await page.goto(origin + "/");
  check(new URL(page.url()).pathname === "/status", `/ should redirect to /status, got ${page.url()}`);
  await page.waitForSelector('tr[data-lane="realtime"]');
  await page.waitForSelector('[data-testid="circuit"].ok');

  const running = page.locator(`[data-testid="imports"] [data-import="${importId}"]`);
  await running.waitFor();
  const importText = await running.locator("p").innerText();
  check(importText.includes(expectedImport), `the running import reads "${importText}", expected "${expectedImport}"`);
  const importBar = await running.locator(".bar > span").evaluate((bar) => bar.style.width);
  const [, done, total] = expectedImport.match(/(\d+) of (\d+)/);
  const expectedBar = ((done / total) * 100).toFixed(1) + "%";
  check(importBar === expectedBar, `the import's progress bar should be ${expectedBar} wide, got "${importBar}"`);

  await page.fill('[data-testid="admin-key"]', adminKey);
  await page.click('[data-testid="unlock"]');
  const row = page.locator(`tr[data-id="${deadLetterId}"]`);
  await row.waitFor();
  const reason = await row.locator('[data-testid="reason"]').innerText();
  check(reason.includes(expectedReason), `dead letter reason "${reason}" should contain "${expectedReason}"`);
  check(!page.url().includes(adminKey), "the admin key must never appear in the URL");
  const stored = await page.evaluate(() => sessionStorage.getItem("libromiGatewayAdminKey"));
  check(stored === adminKey, "the admin key should be kept in sessionStorage");
  const chartBars = await page.locator('[data-testid="chart"] rect').count();
  check(chartBars > 0, "the throughput chart should draw bars");

  await page.screenshot({ path: screenshotPath, fullPage: true });

  await row.locator('[data-testid="replay"]').click();
  await row.waitFor({ state: "detached" });

  return { reason, chartBars, importText, importBar, url: page.url() };
});
