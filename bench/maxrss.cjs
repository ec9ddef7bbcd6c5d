// Loaded with `node --require bench/maxrss.cjs <script>`: at exit, appends the process's peak resident set
// size (getrusage ru_maxrss, KiB) to the file named by BENCH_MAXRSS_FILE, so stdout/stderr stay untouched.
'use strict';
const file = process.env.BENCH_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    require('node:fs').appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
