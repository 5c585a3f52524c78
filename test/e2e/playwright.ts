/**
 * The few playwright-core calls the walk uses, typed here: playwright-core lives in the e2e cache dir
 * (.e2e/, installed by scripts/e2e-setup.sh), not in the project's dependencies, so it is loaded at run
 * time from there and the project typechecks without it.
 */
import { createRequire } from "node:module";
import * as path from "node:path";

export type WaitState = "attached" | "detached" | "visible" | "hidden";

export interface Locator {
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  locator(selector: string): Locator;
  filter(options: { hasText?: string | RegExp }): Locator;
  count(): Promise<number>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  hover(options?: { timeout?: number; position?: { x: number; y: number } }): Promise<void>;
  innerText(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  isVisible(): Promise<boolean>;
  waitFor(options?: { state?: WaitState; timeout?: number }): Promise<void>;
  click(options?: {
    timeout?: number;
    button?: "left" | "right";
    force?: boolean;
    position?: { x: number; y: number };
  }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  selectOption(value: string, options?: { timeout?: number }): Promise<string[]>;
  press(key: string, options?: { timeout?: number }): Promise<void>;
}

/** An iframe's content (webviews: VS Code's outer `iframe.webview`, then its `#active-frame`). */
export interface FrameLocator {
  locator(selector: string): Locator;
  frameLocator(selector: string): FrameLocator;
}

export interface Keyboard {
  press(key: string, options?: { delay?: number }): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
}

export interface Mouse {
  wheel(deltaX: number, deltaY: number): Promise<void>;
}

export interface ConsoleMessage {
  type(): string;
  text(): string;
}

export interface Page {
  readonly keyboard: Keyboard;
  readonly mouse: Mouse;
  goto(
    url: string,
    options?: { timeout?: number; waitUntil?: "load" | "domcontentloaded" },
  ): Promise<unknown>;
  locator(selector: string): Locator;
  frameLocator(selector: string): FrameLocator;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<Uint8Array>;
  waitForTimeout(ms: number): Promise<void>;
  setDefaultTimeout(ms: number): void;
  on(event: "console", listener: (m: ConsoleMessage) => void): void;
  on(event: "pageerror", listener: (e: Error) => void): void;
}

export interface BrowserContext {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  executablePath: string;
  headless: boolean;
  args: string[];
  viewport: { width: number; height: number };
  timeout: number;
}

export interface Chromium {
  launchPersistentContext(userDataDir: string, options: LaunchOptions): Promise<BrowserContext>;
}

export function loadPlaywright(cacheDir: string): { chromium: Chromium } {
  const req = createRequire(path.join(cacheDir, "package.json"));
  return req("playwright-core") as { chromium: Chromium };
}
