// Preloaded with --require into every process the benchmark times: on exit it writes the
// process's peak resident set size (KiB) to BENCH_RSS_FILE. It loads nothing else, so every
// process measured pays the same small cost.
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) require('node:fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS))
})
