import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

/** Every key `loadConfig` reads, found in its source (`read.x('KEY'…`). */
async function configKeys(): Promise<string[]> {
  const source = await readFile(new URL('../src/config.ts', import.meta.url), 'utf8');
  return [
    ...new Set(
      [...source.matchAll(/read\.\w+\(\s*'([A-Z][A-Z0-9_]+)'(?:,\s*'([A-Z][A-Z0-9_]+)')?/g)].flatMap((m) =>
        [m[1]!, m[2]].filter((k): k is string => !!k),
      ),
    ),
  ];
}

it('documents every configuration key in .env.example and the README', async () => {
  const keys = await configKeys();
  expect(keys.length).toBeGreaterThan(10);
  const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  for (const key of keys) {
    expect(example, key).toMatch(new RegExp(`^${key}=`, 'm'));
    expect(readme, key).toContain(`\`${key}\``);
  }
});
