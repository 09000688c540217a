// Jest test sequencer for the integration suites: the long ones start first, so with two workers
// the 20,000-chunk upload runs beside the rest instead of after it (a fresh clone has no timings
// for Jest's own ordering). Then by size, largest first, as Jest does without timings.
const { statSync } = require('node:fs');

const SLOW_FIRST = [
  'upload-many-chunks.integration-spec.ts',
  'fault-suite.integration-spec.ts',
  'crash-recovery.integration-spec.ts',
  'health-gates-under-load.integration-spec.ts',
  'api-fuzz.integration-spec.ts',
];

const rank = (path) => {
  const index = SLOW_FIRST.findIndex((name) => path.endsWith(`/${name}`));
  return index === -1 ? SLOW_FIRST.length : index;
};
const size = (path) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

module.exports = class SlowSuitesFirst {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || size(b.path) - size(a.path));
  }

  cacheResults() {}
};
