/**
 * Compiles every workspace package's TypeScript to JavaScript in its `dist/`, file by file,
 * so that the installed `cairn` starts without a TypeScript loader. Each package's
 * `exports` point at `dist/`, and at the sources under the `source` condition, which the
 * tests, the type checker and `NODE_OPTIONS='--conditions=cairn-source --import=tsx'` use.
 *
 *   node --import tsx scripts/build.ts          (npm install runs it, and so does npm test)
 */
import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each package's sources, and where they compile to. */
const packages = [
  { sources: 'packages/core/src', outdir: 'packages/core/dist' },
  { sources: 'packages/cli/src', outdir: 'packages/cli/dist' },
  { sources: 'packages/dev-server/src', outdir: 'packages/dev-server/dist' },
  { sources: 'packages/testing/src', outdir: 'packages/testing/dist' },
  { sources: 'packages/evals/src', outdir: 'packages/evals/dist' },
  { sources: 'agents', outdir: 'agents/dist' },
  { sources: 'tools', outdir: 'tools/dist' },
];

/** Every import stays an import (nothing is bundled); a relative `.ts` one names the `.js` it compiles to. */
const importsAsCompiled: Plugin = {
  name: 'imports-as-compiled',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, ({ path, kind }) => {
      if (kind === 'entry-point') return undefined;
      return { path: /^\.\.?\//.test(path) ? path.replace(/\.([mc]?)ts$/, '.$1js') : path, external: true };
    });
  },
};

const skipped = /(^|\/)(node_modules|dist|test)(\/|$)|\.test\.ts$|\.d\.ts$/;

async function buildPackage(sources: string, outdir: string): Promise<number> {
  const files = (await readdir(join(root, sources), { recursive: true })).filter((file) => !skipped.test(file));
  const typescript = files.filter((file) => /\.[mc]?ts$/.test(file)).map((file) => join(root, sources, file));
  // Thread entry points and CommonJS modules written in JavaScript are copied as they are.
  const javascript = files.filter((file) => /\.[mc]?js$/.test(file));
  const compiledNames = new Set(typescript.map((file) => file.replace(/\.([mc]?)ts$/, '.$1js')));
  const clash = javascript.find((file) => compiledNames.has(join(root, sources, file)));
  if (clash) throw new Error(`${join(sources, clash)} would overwrite the compiled ${clash.replace(/\.([mc]?)js$/, '.$1ts')}: rename one of them.`);
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: typescript,
    outdir,
    outbase: join(root, sources),
    bundle: true,
    plugins: [importsAsCompiled],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await Promise.all(javascript.map((file) => cp(join(root, sources, file), join(outdir, file))));
  return typescript.length + javascript.length;
}

const started = performance.now();
let total = 0;
for (const { sources, outdir } of packages) total += await buildPackage(sources, join(root, outdir));
console.log(`Built ${total} modules of ${packages.length} packages in ${Math.round(performance.now() - started)} ms.`);
