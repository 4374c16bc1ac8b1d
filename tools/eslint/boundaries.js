// @ts-check
/**
 * `maskroom/package-boundaries`: the dependency direction of DESIGN §1, enforced.
 *
 * - `shared` imports no other workspace package and no Node built-in (it runs in browsers,
 *   Node and Web Workers alike);
 * - `client` and `server` may import `shared`, never each other;
 * - relative paths that climb into another package count the same as its package name.
 *
 * DOM globals in `shared` are caught by `no-restricted-globals` (see eslint.config.js) and by
 * shared's tsconfig, which has neither the DOM nor Node's types.
 */
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Which workspace package each package may import. Packages not listed are unrestricted. */
export const ALLOWED = {
  shared: [],
  client: ['shared'],
  server: ['shared'],
};
const WORKSPACES = ['shared', 'server', 'client', 'e2e', 'bench'];

/** @param {string} file absolute path */
function packageOfFile(file) {
  const rel = path.relative(repoRoot, file);
  if (rel.startsWith('..')) return null;
  const top = rel.split(path.sep)[0];
  return top && WORKSPACES.includes(top) ? top : null;
}

/**
 * @param {string} source the import specifier
 * @param {string} file absolute path of the importing file
 * @returns {string | null} the workspace package the specifier points into
 */
function packageOfSpecifier(source, file) {
  const scoped = /^@maskroom\/([^/]+)/.exec(source);
  if (scoped) return scoped[1] ?? null;
  if (source.startsWith('.')) return packageOfFile(path.resolve(path.dirname(file), source));
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const packageBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the dependency direction between workspace packages.' },
    schema: [],
    messages: {
      crossPackage: "'{{from}}' must not import from '{{to}}' ({{source}}): allowed are {{allowed}}.",
      nodeInShared: "'shared' must not import the Node built-in '{{source}}': it runs in browsers too.",
    },
  },
  create(context) {
    const file = context.filename;
    const from = packageOfFile(file);
    if (!from || !(from in ALLOWED)) return {};
    const allowed = /** @type {Record<string, string[]>} */ (ALLOWED)[from] ?? [];
    const isTest = /\.test\.[cm]?[jt]sx?$/.test(file) || file.includes(`${path.sep}test${path.sep}`);

    /** @param {import('estree').Node} node @param {unknown} value */
    function check(node, value) {
      if (typeof value !== 'string') return;
      if (from === 'shared' && !isTest && isBuiltin(value)) {
        context.report({ node, messageId: 'nodeInShared', data: { source: value } });
        return;
      }
      const to = packageOfSpecifier(value, file);
      if (to && to !== from && !allowed.includes(to)) {
        context.report({
          node,
          messageId: 'crossPackage',
          data: { from, to, source: value, allowed: allowed.length ? allowed.join(', ') : 'none' },
        });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'package-boundaries': packageBoundaries } };
