/**
 * Fails when a TypeScript line is longer than 120 characters.
 * @remarks Biome's formatter wraps code at 120 but leaves long strings and comments alone, and it has no
 * rule for them; this is the rest of the check (`npm run lint` runs both).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const MAX = 120;
const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  encoding: 'utf8',
});
let long = 0;
for (const file of listed.split('\n').filter(Boolean)) {
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
  lines.forEach((line, i) => {
    const length = [...line].length;
    if (length <= MAX) return;
    long++;
    console.error(`${file}:${i + 1}: ${length} characters (at most ${MAX})`);
  });
}
if (long > 0) {
  console.error(`${long} line${long === 1 ? '' : 's'} longer than ${MAX} characters.`);
  process.exit(1);
}
