// The step that turns `atlantis-run deploy --json` output into a short summary: the job log (both
// CI systems) and GitHub's job summary ($GITHUB_STEP_SUMMARY). It reads the last JSON line — the
// result object ({type: "result", ok, url, webhookUrl, revision, image, changes, …} or {ok: false,
// error}). Plain JavaScript for `node -e '…'` inside single quotes: it must contain none.
export const SUMMARY_SCRIPT = `const fs = require("fs");
let lines = [];
try { lines = fs.readFileSync(process.argv[1], "utf8").split("\\n").filter((l) => l.trim()); } catch {}
let r;
try { r = JSON.parse(lines[lines.length - 1]); } catch {}
const out = ["## atlantis-run deploy", ""];
if (!r || r.type !== "result") out.push("No result: the deploy did not finish (see the log above).");
else if (r.ok && r.cancelled) out.push("Cancelled: nothing was changed.");
else if (r.ok) out.push("| | |", "|---|---|",
  "| service | " + r.service + " (" + r.project + ", " + r.region + ") |",
  "| URL | " + r.url + " |",
  "| webhook URL | " + r.webhookUrl + " |",
  "| revision | " + (r.revision || "-") + " |",
  "| image | " + (r.image || "-") + " |",
  "| changes | " + r.changes + " |");
else out.push("Deploy failed: " + (r.error && r.error.message), r.error && r.error.hint ? "hint: " + r.error.hint : "");
const text = out.join("\\n") + "\\n";
process.stdout.write(text);
if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, text);`;

/** The shell command: `node -e '<script>' FILE`. */
export function summaryCommand(file: string): string {
  if (SUMMARY_SCRIPT.includes("'")) throw new Error('the summary script must not contain single quotes');
  return `node -e '\n${SUMMARY_SCRIPT}\n' ${file}`;
}
