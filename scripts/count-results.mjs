// Adds up the results of the three test runners and prints "N passed, N failed" (exit 1 if any
// failed or a suite produced no report, so a crashed runner is never counted as green).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'test-results';
let passed = 0;
let failed = 0;
let skipped = 0;

for (const step of ['build', 'typecheck']) {
  if (existsSync(join(dir, `${step}-failed`))) {
    console.log(`${step}: failed`);
    failed += 1;
  }
}

const pytest = join(dir, 'pytest.xml');
if (existsSync(pytest)) {
  const xml = readFileSync(pytest, 'utf8');
  const suite = /<testsuite [^>]*>/.exec(xml)?.[0] ?? '';
  const num = (name) => Number(new RegExp(`${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const bad = num('failures') + num('errors');
  passed += num('tests') - bad - num('skipped');
  failed += bad;
  skipped += num('skipped');
} else {
  console.log('pytest: no report');
  failed += 1;
}

const vitest = join(dir, 'vitest.json');
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, 'utf8'));
  passed += r.numPassedTests;
  // A file that fails to load has no failed tests but a failed suite: count it once.
  failed += r.numFailedTests || (r.numFailedTestSuites ?? 0);
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} else {
  console.log('vitest: no report');
  failed += 1;
}

const playwright = join(dir, 'playwright.json');
if (existsSync(playwright)) {
  const r = JSON.parse(readFileSync(playwright, 'utf8'));
  const s = r.stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += (s.unexpected ?? 0) + (r.errors?.length ?? 0);
  skipped += s.skipped ?? 0;
} else {
  console.log('playwright: no report');
  failed += 1;
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
