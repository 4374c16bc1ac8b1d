/**
 * The project's headless Chromium, described once: the e2e suite and the browser benches launch it
 * alike, so what the tests see is what the benches measure.
 */

/** Debian's Chromium unless `CHROMIUM_PATH` names another build. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless with WebGL2 and no GPU: `--disable-gpu` moves compositing and 2D canvas to the CPU while
 * WebGL still runs through SwiftShader in the GPU process, which only the last two flags allow.
 */
export const HEADLESS_WEBGL_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];
