// Turns the figures scripts/bench.sh collected (one JSON object a line: name, unit, and value or samples) into a
// Markdown table of median and p95 per measurement, headed by the machine and the toolchain they came from.
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const measured = new Map();
for (const { name, unit, value, samples } of lines) {
  const entry = measured.get(name) ?? { unit, samples: [] };
  entry.samples.push(...(samples ?? [value]));
  measured.set(name, entry);
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const shown = (value, unit) => `${value.toFixed(unit === 'ms' || unit === 's' ? 2 : 1)} ${unit}`;
const version = (command) => { try { return execSync(command, { encoding: 'utf8' }).trim().split('\n')[0]; } catch { return 'unknown'; } };

console.log(`# Benchmarks

Written by \`scripts/bench.sh\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB;
${version('rustc --version')}; ${version('chromium --version')}.

| measurement | median | p95 | n |
|---|---|---|---|`);
for (const [name, { unit, samples }] of measured) {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(`| ${name} | ${shown(quantile(sorted, 0.5), unit)} | ${shown(quantile(sorted, 0.95), unit)} | ${sorted.length} |`);
}
