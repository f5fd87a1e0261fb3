// What both status page scripts share: Debian's Chromium through playwright-core (no browser download), a page that
// records every request to another origin, every console error and every dialog, and one JSON line at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Runs `drive(page, origin, seen)` and prints what it returns as one JSON line; on a failed check prints the reason
// and what the page did, and sets a non-zero exit code. Requests to other origins and console errors fail the run.
export async function withStatusPage(baseUrl, { label, viewport }, drive) {
  const origin = new URL(baseUrl).origin;
  const userDataDir = mkdtempSync(join(tmpdir(), "gateway-chromium-"));
  const seen = { foreignRequests: [], consoleErrors: [], dialogs: [] };
  // Running as root without network, Chromium needs no sandbox, no GPU and none of its background fetches.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    viewport,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(20000);
    page.on("request", (request) => {
      if (new URL(request.url()).origin !== origin) seen.foreignRequests.push(request.url());
    });
    page.on("console", (message) => { if (message.type() === "error") seen.consoleErrors.push(message.text()); });
    page.on("dialog", (dialog) => { seen.dialogs.push(dialog.message()); dialog.dismiss(); });

    const result = await drive(page, origin, seen);

    check(seen.foreignRequests.length === 0, `the page loaded from elsewhere: ${seen.foreignRequests.join(", ")}`);
    check(seen.consoleErrors.length === 0, `the page logged errors: ${seen.consoleErrors.join(" | ")}`);
    console.log(JSON.stringify({ ok: true, ...result }));
  } catch (error) {
    console.error(`${label} check failed: ${error.message}`);
    console.error(JSON.stringify(seen));
    process.exitCode = 1;
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
