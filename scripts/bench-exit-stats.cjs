// Loaded into the `hazeless` command by `npm run bench` (NODE_OPTIONS --require) for its album line: as
// the process exits, writes its CPU time and peak memory, as JSON, to the file named by
// HAZELESS_BENCH_STATS. The photo threads load it too and do nothing.
const fs = require('node:fs');
const { isMainThread } = require('node:worker_threads');

if (isMainThread && process.env.HAZELESS_BENCH_STATS) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const stats = { cpu: (cpu.user + cpu.system) / 1000, maxRSS: process.resourceUsage().maxRSS * 1024 };
    fs.writeFileSync(process.env.HAZELESS_BENCH_STATS, JSON.stringify(stats));
  });
}
