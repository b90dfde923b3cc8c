/**
 * A module resolution hook (node:module register) for user plug-ins that live outside the checkout: a
 * bare import that the plug-in's own folder cannot resolve (`zod`, `@clustersim/engine`) is resolved
 * from clustersim's own packages instead, so a plug-in in ~/experiments works as one in examples/.
 */
const PROJECT = new URL("../../package.json", import.meta.url).href;

interface Context {
  parentURL?: string;
  conditions?: string[];
}
type Next = (specifier: string, context: Context) => Promise<unknown>;

export async function resolve(specifier: string, context: Context, next: Next): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !specifier.startsWith(".") && !specifier.startsWith("/") && !/^[a-z]+:/i.test(specifier);
    if (!bare || (err as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw err;
    return next(specifier, { ...context, parentURL: PROJECT });
  }
}
