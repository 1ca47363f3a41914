// Loaded with `node --import` into a process the bench measures: at exit, writes the process's peak
// resident set size (bytes) to PEAK_RSS_FILE.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.PEAK_RSS_FILE) writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
