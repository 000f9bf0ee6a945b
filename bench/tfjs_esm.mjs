// Node cannot load tfjs-core's ES-module build (dist/*.js, extensionless relative imports), which
// the gradients (register_all_gradients) exist only in. Vite and Vitest resolve those imports
// themselves; for scripts run with tsx, `node --import ./bench/tfjs_esm.mjs` adds ".js" to them.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && !/\\.[cm]?js$/.test(specifier) && context.parentURL?.includes('/@tensorflow/tfjs-core/dist/')) {
    try {
      return await next(specifier + '.js', context);
    } catch {}
  }
  return next(specifier, context);
}`),
);
