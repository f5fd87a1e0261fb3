// Drives the status page's search, story, delivery and figures views in Debian's Chromium through playwright-core.
// Usage: node status-search.mjs <gatewayBaseUrl> <apiKey> <expectationsJson>
// expectations: { phone, operationId, statusCode, refusedDeliveryId, refusedReason, hostileDeliveryId, hostileText, integration, figures: {...} }
// Prints one JSON line with what it saw; exits non-zero with the reason when a check fails.
import { check, withStatusPage } from "./status-browser.mjs";

const [baseUrl, apiKey, expectationsJson] = process.argv.slice(2);
if (!expectationsJson) {
  console.error("usage: node status-search.mjs <baseUrl> <apiKey> <expectationsJson>");
  process.exit(2);
}
const expected = JSON.parse(expectationsJson);
await withStatusPage(baseUrl, { label: "status search", viewport: { width: 1280, height: 900 } }, async (page, origin, seen) => {
  await page.goto(origin + "/status");
  await page.fill('[data-testid="api-key"]', apiKey);
  await page.click('[data-testid="api-unlock"]');
  check(!page.url().includes(apiKey), "the API key must never appear in the URL");

  // Figures of the integration, as the page shows them.
  const figuresRow = page.locator(`[data-testid="figures"] tr[data-integration="${expected.integration}"]`);
  await figuresRow.waitFor();
  const field = (name) => figuresRow.locator(`[data-field="${name}"]`).innerText();
  const figures = { received: await field("received"), refused: await field("refused"), delivered: await field("delivered"),
    dead_lettered: await field("dead_lettered"), last_error: await field("last_error") };
  check(figures.received === String(expected.figures.received), `received reads "${figures.received}", expected ${expected.figures.received}`);
  check(figures.delivered === String(expected.figures.delivered), `delivered reads "${figures.delivered}", expected ${expected.figures.delivered}`);
  check(figures.dead_lettered === String(expected.figures.dead_lettered), `dead-lettered reads "${figures.dead_lettered}", expected ${expected.figures.dead_lettered}`);
  for (const part of expected.figures.refused) check(figures.refused.includes(part), `refused reads "${figures.refused}", expected it to include "${part}"`);
  check(figures.last_error.includes(expected.figures.last_error), `last error reads "${figures.last_error}", expected "${expected.figures.last_error}"`);

  // An operation found by phone number, and its story with Libromi's status code.
  await page.fill('#operation-search [name="phone_number"]', expected.phone);
  await page.click('[data-testid="search-operations"]');
  const operation = page.locator(`tr[data-operation-id="${expected.operationId}"]`);
  await operation.waitFor();
  check(await page.locator('[data-testid="operation-results"] tbody tr').count() === 1, "the phone number should find exactly one operation");
  await operation.click();
  await page.waitForSelector('[data-testid="calls"] [data-testid="call-status"]');
  const statuses = await page.locator('[data-testid="call-status"]').allInnerTexts();
  check(statuses.includes(String(expected.statusCode)), `the story's calls show statuses ${statuses.join(", ")}, expected ${expected.statusCode}`);
  const state = await page.locator('[data-testid="story-state"]').innerText();
  check(state === "dead_lettered", `the story's state reads "${state}"`);

  // The refused delivery in the deliveries view, with its reason.
  await page.click('[data-testid="tab-deliveries"]');
  await page.selectOption('#delivery-search [name="outcome"]', "unverified");
  await page.click('[data-testid="search-deliveries"]');
  const refused = page.locator(`tr[data-delivery-id="${expected.refusedDeliveryId}"]`);
  await refused.waitFor();
  await refused.click();
  await page.waitForSelector(`#detail[data-delivery-id="${expected.refusedDeliveryId}"]`);
  const outcome = await page.locator('[data-testid="delivery-outcome"]').innerText();
  const reason = await page.locator('[data-testid="delivery-reason"]').innerText();
  check(outcome === "unverified" && reason === expected.refusedReason, `the refused delivery reads "${outcome}" / "${reason}", expected unverified / ${expected.refusedReason}`);

  // A delivery whose stored content type is hostile markup: it must show as text and never run.
  await page.selectOption('#delivery-search [name="outcome"]', "");
  await page.fill('#delivery-search [name="delivery_id"]', expected.hostileDeliveryId);
  await page.click('[data-testid="search-deliveries"]');
  const hostile = page.locator(`tr[data-delivery-id="${expected.hostileDeliveryId}"]`);
  await hostile.waitFor();
  await hostile.click();
  await page.waitForSelector(`#detail[data-delivery-id="${expected.hostileDeliveryId}"]`);
  const contentType = await page.locator('[data-testid="delivery-content-type"]').innerText();
  check(contentType.includes(expected.hostileText), `the hostile content type should show as text, got "${contentType}"`);
  check(await page.locator("#detail img, #deliveries img").count() === 0, "stored markup became an element");
  check(await page.evaluate(() => window.__xss === undefined), "stored markup ran a script");

  // Paging: the integration's six deliveries at five a page, then back to the first page.
  await page.fill('#delivery-search [name="delivery_id"]', "");
  await page.fill('#delivery-search [name="integration"]', expected.integration);
  await page.selectOption('#delivery-search [name="limit"]', "5");
  await page.click('[data-testid="search-deliveries"]');
  const rows = page.locator('[data-testid="delivery-results"] tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-results"] tbody tr').length === 5);
  const firstPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.deliveryId));
  await page.click('[data-testid="deliveries-next"]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-results"] tbody tr').length === 1);
  const secondPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.deliveryId));
  check(!firstPage.includes(secondPage[0]), "the second page repeated a delivery of the first");
  check(await page.locator('[data-testid="deliveries-next"]').isHidden(), "the last page should offer no next page");
  await page.click("#deliveries-first");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-results"] tbody tr').length === 5);
  await page.selectOption('#delivery-search [name="limit"]', "20");

  // An accepted delivery links to its operation's story.
  await page.fill('#delivery-search [name="delivery_id"]', "");
  await page.selectOption('#delivery-search [name="outcome"]', "accepted");
  await page.click('[data-testid="search-deliveries"]');
  // Until the filtered answer arrives the table still shows the previous, unfiltered rows.
  await page.waitForFunction(() => {
    const outcomes = [...document.querySelectorAll('[data-testid="delivery-results"] [data-testid="outcome"]')];
    return outcomes.length > 0 && outcomes.every((cell) => cell.textContent === "accepted");
  });
  const accepted = page.locator('[data-testid="delivery-results"] tr[data-delivery-id]');
  await accepted.first().waitFor();
  await accepted.first().click();
  const operationLink = page.locator('[data-testid="delivery-operation"]').first();
  await operationLink.waitFor();
  const linkedId = await operationLink.innerText();
  await operationLink.click();
  await page.waitForSelector(`#detail[data-operation-id="${linkedId}"]`);

  check(seen.dialogs.length === 0, `the page opened dialogs: ${seen.dialogs.join(" | ")}`);
  return { figures, statuses, state, outcome, reason, contentType, linkedId };
});
