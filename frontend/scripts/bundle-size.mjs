// Prints the production bundle's size, gzipped: what the first page load
// fetches (index.html, the entry script and styles, and their static
// imports) and everything, lazily loaded screens included. Run after a build.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname, '../dist');
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const entry = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
const assets = readdirSync(path.join(dist, 'assets')).map((f) => `assets/${f}`);
const initial = gz('index.html') + entry.reduce((sum, file) => sum + gz(file), 0);
const total = gz('index.html') + assets.reduce((sum, file) => sum + gz(file), 0);
const largest = assets
  .map((file) => [file, gz(file)])
  .sort((a, b) => b[1] - a[1])
  .slice(0, 5);

console.log(`first load (index.html + ${entry.length} entry files): ${kib(initial)} gzip`);
console.log(`whole app (${assets.length} files): ${kib(total)} gzip`);
for (const [file, size] of largest) console.log(`  ${file}: ${kib(size)}`);
