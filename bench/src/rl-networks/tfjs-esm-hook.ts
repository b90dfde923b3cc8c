/**
 * Module hooks that let Node load TensorFlow.js core and its CPU backend as ES modules, for the peer of
 * bench:rl-networks. Their CommonJS builds carry no gradients (those ship only as ES modules, written
 * for bundlers: extension-less imports in a package Node reads as CommonJS); the full `@tensorflow/tfjs`
 * bundle would bring 270 MB of other backends. These hooks add the `.js` and read the files as ES
 * modules. Vitest needs none of this (its resolver does the same).
 */
const TFJS_DIST = /\/node_modules\/@tensorflow\/tfjs-(core|backend-cpu|backend-wasm)\/dist\//;
const TFJS_PACKAGES = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm"];
type Next = (specifier: string, context: unknown) => Promise<unknown>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next): Promise<unknown> {
  if (TFJS_PACKAGES.includes(specifier)) return next(`${specifier}/dist/index.js`, context);
  // The wasm backend reaches into the CPU backend's files by path: "@tensorflow/tfjs-backend-cpu/dist/shared".
  if (/^@tensorflow\/tfjs-[\w-]+\/dist\/[\w/]+$/.test(specifier)) return next(`${specifier}.js`, context);
  if (context.parentURL && TFJS_DIST.test(context.parentURL) && specifier.startsWith(".") && !specifier.endsWith(".js"))
    return next(`${specifier}.js`, context);
  return next(specifier, context);
}

export async function load(url: string, context: object, next: Next): Promise<unknown> {
  return next(url, TFJS_DIST.test(url) ? { ...context, format: "module" } : context);
}
