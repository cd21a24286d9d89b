// The floor of the benchmark: a Node process that writes the same objects as Bulwark, one file
// each in the same layout, as JSON.stringify output. Plain JavaScript, so that no loader runs.
//   node bench/floor.js <objects.json> <out-dir>
'use strict';
const fs = require('fs');
const path = require('path');

const [input, out] = process.argv.slice(2);
const entries = JSON.parse(fs.readFileSync(input, 'utf8'));
for (const dir of new Set(entries.map((e) => path.dirname(path.join(out, e.path))))) fs.mkdirSync(dir, { recursive: true });
for (const e of entries) fs.writeFileSync(path.join(out, e.path), JSON.stringify(e.object));
