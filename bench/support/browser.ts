import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core (which never downloads a browser): the console's
 * tests and its benchmark. As root it needs --no-sandbox; on a closed network nothing should
 * reach out.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
