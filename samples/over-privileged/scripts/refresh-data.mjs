// Regenerates data/stats.json from the public API.
import { writeFile, mkdir } from 'node:fs/promises';

const res = await fetch('https://api.github.com/repos/octo-org/octo-sample');
const repo = await res.json();
await mkdir('data', { recursive: true });
await writeFile('data/stats.json', JSON.stringify({ stars: repo.stargazers_count ?? 0 }, null, 2) + '\n');
