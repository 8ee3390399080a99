/**
 * Import rules (see CONVENTIONS "Who may import whom"): api/util ← machinery ← storage ←
 * apiserver; client uses only api/util/machinery; the component folders use only client and
 * the bottom layers, never storage, apiserver or each other; cmd/, bin/ and tests wire things
 * together and may import anything. No circular imports anywhere.
 */
const bottom = '^src/(api|util)/';
const components = 'controllers|scheduler|kubelet|proxy|dns|ingress|cloud|cli|registry-oci|podnet|metrics-server';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'api-util-are-leaves',
      severity: 'error',
      from: { path: '^src/(api|util)/' },
      to: { path: '^src/', pathNot: bottom },
    },
    {
      name: 'machinery-below-storage',
      severity: 'error',
      from: { path: '^src/machinery/' },
      to: { path: '^src/', pathNot: '^src/(api|util|machinery)/' },
    },
    {
      name: 'storage-below-apiserver',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: '^src/', pathNot: '^src/(api|util|machinery|storage)/' },
    },
    {
      name: 'apiserver-uses-only-lower-layers',
      severity: 'error',
      from: { path: '^src/apiserver/' },
      to: { path: '^src/', pathNot: '^src/(api|util|machinery|storage|apiserver)/' },
    },
    {
      name: 'client-uses-only-bottom-layers',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/(api|util|machinery|client)/' },
    },
    {
      name: 'pki-is-self-contained',
      severity: 'error',
      from: { path: '^src/pki/' },
      to: { path: '^src/', pathNot: '^src/(api|util|pki)/' },
    },
    {
      name: 'components-use-client-not-server',
      severity: 'error',
      from: { path: `^src/(${components})/` },
      to: { path: '^src/', pathNot: `^src/(api|util|machinery|client)/|^src/$1/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
