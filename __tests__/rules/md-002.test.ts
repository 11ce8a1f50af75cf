import { describe, expect, it } from '@jest/globals';
import { rule, scanRunScript } from '../../src/rules/md-002-unpinned-execution.js';
import { ruleById } from '../../src/rules/index.js';
import type { FindingDraft, RuleResult } from '../../src/model/finding.js';
import type { GovernanceSnapshot } from '../../src/model/snapshot.js';
import { makeSnapshot, ruleConfig, workflowFromYaml } from '../../test-support/snapshot.js';

const P = '.github/workflows/ci.yml';
const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

interface Opts {
  options?: Record<string, unknown>;
  defaults?: GovernanceSnapshot['defaultWorkflowPermissions'];
}

function runFiles(files: Record<string, string>, opts: Opts = {}): FindingDraft[] {
  const workflows = Object.entries(files).map(([p, y]) => workflowFromYaml(p, y, p.endsWith('action.yml') ? 'action' : 'workflow'));
  const snap = makeSnapshot({ workflows, defaultWorkflowPermissions: opts.defaults ?? { status: 'observed', value: 'read' } });
  const r = rule.evaluate(snap, ruleConfig(opts.options ?? {}));
  return Array.isArray(r) ? r : (r as RuleResult).findings;
}

const run = (yaml: string, opts: Opts = {}): FindingDraft[] => runFiles({ [P]: yaml }, opts);

/** A pull_request workflow with one job `build` and the given step lines (already indented by 6). */
const wf = (steps: string, on = 'pull_request', jobExtra = ''): string =>
  `on: ${on}\njobs:\n  build:\n    runs-on: ubuntu-latest\n${jobExtra}    steps:\n${steps}\n`;

const step = (s: string): string => `      - ${s}`;
const runStep = (script: string): string => {
  if (!script.includes('\n')) return `      - run: ${JSON.stringify(script)}`;
  return `      - run: |\n${script
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}`;
};

const kinds = (script: string): string[] => scanRunScript(script).map((h) => h.kind).sort();

describe('MD-002 metadata', () => {
  it('is complete and registered', () => {
    expect(rule.meta).toMatchObject({ id: 'MD-002', severity: 'medium', defaultAction: 'warn', fpCeiling: 0.1 });
    for (const k of ['title', 'motivation', 'description', 'remediation', 'example'] as const) {
      expect(String(rule.meta[k]).length).toBeGreaterThan(k === 'title' ? 5 : 20);
    }
    expect(ruleById('MD-002')).toBe(rule);
  });

  it('its example triggers it', () => {
    const fs = run(rule.meta.example ?? '');
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([
      ['build:actions/checkout@v4', 'low'],
      ['build:some-org/setup-tool@v2', 'medium'],
      ['build:#2:download-exec', 'medium'],
      ['build:#3:pip-install', 'medium']
    ]);
  });
});

describe('MD-002 uses:', () => {
  it('third-party tag is medium, trusted owners tag is low, with stable subjects and evidence', () => {
    const fs = run(wf([step('uses: actions/checkout@v4'), step('uses: docker/login-action@v3.1.0'), step('uses: github/codeql-action/init@v3')].join('\n')));
    expect(fs.map((f) => [f.subject, f.severity, f.evidence[0].line])).toEqual([
      ['build:actions/checkout@v4', 'low', 6],
      ['build:docker/login-action@v3.1.0', 'medium', 7],
      ['build:github/codeql-action/init@v3', 'low', 8]
    ]);
    expect(fs[1].message).toContain('docker/login-action@<40-hex sha> # v3.1.0');
  });

  it('a full SHA is pinned, with or without a trailing comment; local and same-repository actions are exempt', () => {
    const fs = run(
      wf(
        [
          step(`uses: some-org/tool@${SHA} # v4.2.2`),
          step(`uses: some-org/tool@${SHA}`),
          step('uses: ./.github/actions/setup'),
          step('uses: octo-org/octo-repo/.github/actions/x@main'),
          step('uses: OCTO-ORG/Octo-Repo@v1')
        ].join('\n')
      )
    );
    expect(fs).toEqual([]);
  });

  it('branches, short SHAs and missing refs are medium even for trusted owners', () => {
    const fs = run(wf([step('uses: actions/checkout@main'), step('uses: some-org/tool@11bd719'), step('uses: some-org/noref')].join('\n')));
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([
      ['build:actions/checkout@main', 'medium'],
      ['build:some-org/tool@11bd719', 'medium'],
      ['build:some-org/noref', 'medium']
    ]);
    expect(fs[1].message).toContain('abbreviated SHA');
    // The suggested pin keeps a version as its comment, never the branch name.
    expect(fs[0].message).toContain('actions/checkout@<40-hex sha> # vX.Y.Z (the release you reviewed)');
    expect(fs[0].message).not.toContain('# main');
    expect(fs[2].message).toContain('some-org/noref@<40-hex sha> # vX.Y.Z');
    expect(fs[1].message).toContain('some-org/tool@<40-hex sha> # vX.Y.Z');
  });

  it('trusted-owners option replaces the default list', () => {
    const fs = run(wf([step('uses: actions/checkout@v4'), step('uses: my-org/tool@v1')].join('\n')), { options: { 'trusted-owners': ['my-org'] } });
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([
      ['build:actions/checkout@v4', 'medium'],
      ['build:my-org/tool@v1', 'low']
    ]);
  });

  it('remote reusable workflows are checked; local ones are exempt', () => {
    const fs = run(
      'on: push\njobs:\n  a:\n    uses: other/shared/.github/workflows/ci.yml@v1\n  b:\n    uses: ./.github/workflows/local.yml\n  c:\n    uses: other/shared/.github/workflows/ci.yml@' +
        SHA +
        '\n'
    );
    expect(fs.map((f) => f.subject)).toEqual(['a:other/shared/.github/workflows/ci.yml@v1']);
    expect(fs[0].message).toContain('reusable workflow');
  });

  it('repeated uses in one job are one finding with several evidence lines', () => {
    const fs = run(wf([step('uses: some-org/tool@v1'), step('run: echo'), step('uses: some-org/tool@v1')].join('\n')));
    expect(fs).toHaveLength(1);
    expect(fs[0].evidence.map((e) => e.line)).toEqual([6, 8]);
  });

  it('docker:// steps need a digest', () => {
    const digest = 'a'.repeat(64);
    const fs = run(wf([step('uses: docker://alpine:3.19'), step(`uses: docker://alpine@sha256:${digest}`)].join('\n')));
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['build:docker://alpine:3.19', 'medium']]);
  });

  it('the SLSA generator by exact version tag is exempt (it must be referenced by tag)', () => {
    const y = 'on: release\njobs:\n  provenance:\n    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.0.0\n  other:\n    uses: slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@main\n';
    expect(run(y).map((f) => f.subject)).toEqual(['other:slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@main']);
  });

  it('expressions in uses are skipped', () => {
    expect(run(wf(step('uses: ${{ matrix.action }}')))).toEqual([]);
  });
});

describe('MD-002 privileged jobs', () => {
  it('high on pull_request_target and workflow_run; low stays low', () => {
    const steps = [step('uses: actions/checkout@v4'), step('uses: some-org/tool@v1')].join('\n');
    for (const on of ['pull_request_target', 'workflow_run']) {
      const fs = run(wf(steps, on));
      expect(fs.map((f) => [f.subject, f.severity])).toEqual([
        ['build:actions/checkout@v4', 'low'],
        ['build:some-org/tool@v1', 'high']
      ]);
      expect(fs[1].message).toContain(on);
    }
  });

  it('high for release jobs with write scopes; medium for a release job that is read-only or a write job that does not release', () => {
    const steps = step('uses: some-org/publish@v1');
    const release = (perms: string, on = 'push', id = 'release'): string =>
      `on: ${on}\njobs:\n  ${id}:\n    runs-on: ubuntu-latest\n${perms}    steps:\n${steps}\n`;
    expect(run(release('    permissions: {contents: write}\n'))[0].severity).toBe('high');
    expect(run(release('    permissions: {packages: write}\n', 'release', 'build'))[0].severity).toBe('high');
    expect(run(release('    permissions: {contents: read}\n'))[0].severity).toBe('medium');
    expect(run(release('    permissions: {contents: write}\n', 'push', 'build'))[0].severity).toBe('medium');
    expect(run(release(''), { defaults: { status: 'observed', value: 'write' } })[0].severity).toBe('high');
    expect(run(release(''), { defaults: { status: 'unobservable', reason: 'x' } })[0].severity).toBe('medium');
    // Comment and issue triggers are privileged; a job limited by its if: to another event is not.
    const onComment = (ifLine = '') =>
      `on: [issue_comment, push]\njobs:\n  bot:\n    runs-on: ubuntu-latest\n${ifLine}    steps:\n      - uses: lee-dohm/no-response@v0.5.0\n`;
    const c = run(onComment())[0];
    expect(c.severity).toBe('high');
    expect(c.message).toContain('the workflow runs on `issue_comment`');
    expect(run(onComment("    if: github.event_name == 'push'\n"))[0].severity).toBe('medium');
    const labelled = `on:\n  issues: {types: [labeled]}\n  pull_request_target: {types: [labeled]}\njobs:\n  on-labeled:\n    if: github.event_name == 'issues'\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions-cool/issues-helper@v3\n`;
    const l = run(labelled)[0];
    expect(l.message).toContain('the job runs on `issues`');
    expect(l.message).not.toContain('pull_request_target');
    // id-token gives no write access to the repository: the message says what it does give.
    const oidc = run(release('    permissions: {id-token: write}\n'))[0];
    expect(oidc.severity).toBe('high');
    expect(oidc.message).toContain('can mint OIDC tokens (id-token: write)');
    expect(oidc.message).not.toContain('writable token');
    expect(oidc.message).toContain('is a release or deployment job by its name');
    expect(run(release('    permissions: {contents: write, id-token: write}\n'))[0].message).toContain('holds a writable token (contents: write, id-token: write)');
  });
});

describe('MD-002 images', () => {
  it('job container and untagged services are medium; tagged services are low; digests and expressions are quiet', () => {
    const d = 'b'.repeat(64);
    const y =
      'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    container: node:20\n    services:\n      db:\n        image: postgres:15\n      cache:\n        image: redis\n      pinned:\n        image: postgres:15@sha256:' +
      d +
      '\n      dyn:\n        image: ${{ matrix.image }}\n    steps:\n      - run: echo\n';
    const fs = run(y);
    expect(fs.map((f) => [f.subject, f.severity, f.evidence[0].line])).toEqual([
      ['build:container:node:20', 'medium', 5],
      ['build:service:db:postgres:15', 'low', 8],
      ['build:service:cache:redis', 'medium', 10]
    ]);
  });

  it('container image in mapping form, with a registry port', () => {
    const fs = run('on: push\njobs:\n  build:\n    runs-on: x\n    container:\n      image: registry.example.com:5000/team/img\n    steps: [{run: echo}]\n');
    expect(fs.map((f) => f.subject)).toEqual(['build:container:registry.example.com:5000/team/img']);
    expect(fs[0].message).toContain('no tag');
  });
});

describe('MD-002 run: download piped to an interpreter', () => {
  it.each([
    'curl -fsSL https://get.example.com/install.sh | bash',
    'curl -sSL https://x.io/i.sh | sh',
    'curl https://x.io/i.sh | sudo -E bash -',
    'curl -fsSL https://x.io/i.sh | sudo bash -s -- --version 1.2',
    'wget -qO- https://x.io/i.sh | bash',
    'wget -O - https://x.io/i.sh | sh',
    'curl -s https://x.io/get.py | python3 -',
    'curl -s https://x.io/get.py | python',
    'bash <(curl -fsSL https://x.io/i.sh)',
    'source <(curl -s https://x.io/env.sh)',
    'sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)"',
    'bash -c "$(wget -qO- https://x.io/i.sh)"',
    'eval "$(curl -s https://x.io/env)"',
    'curl -fsSL https://x.io/i.sh | tee /tmp/i.sh | bash',
    'curl -fsSL https://x.io/i.sh | bash -e',
    'iwr https://x.io/i.ps1 -useb | iex',
    "iex ((New-Object System.Net.WebClient).DownloadString('https://x.io/i.ps1'))",
    'FOO=1 curl \\\n  -fsSL https://x.io/i.sh \\\n  | bash',
    'if true; then curl -fsSL https://x.io/i.sh | bash; fi'
  ])('flags %s', (script) => {
    expect(kinds(script)).toEqual(['download-exec']);
  });

  it.each([
    'curl -fsSL -o install.sh https://x.io/i.sh && sha256sum -c install.sh.sha256 && bash install.sh',
    'curl -fsSLO https://x.io/tool.tar.gz',
    'curl -s https://api.github.com/repos/o/r/releases/latest | jq -r .tag_name',
    'curl -s https://api.example.com | python3 -m json.tool',
    'curl -s https://api.example.com | python -c "import sys, json; print(json.load(sys.stdin))"',
    'curl -s https://x.io/i.sh | bash -c "cat > /tmp/i.sh"',
    'curl -sL https://x.io/t.tar.gz | tar xz',
    'wget https://x.io/i.sh | bash',
    'curl -fsSL https://x.io/key.gpg | sudo gpg --dearmor -o /usr/share/keyrings/x.gpg',
    'curl -fsSL https://x.io/key | sudo tee /etc/apt/x.asc',
    'VERSION=$(curl -s https://api.example.com/v | jq -r .v)',
    'curl -fsSL https://raw.githubusercontent.com/o/r/' + SHA + '/install.sh | bash',
    '# curl -fsSL https://x.io/i.sh | bash',
    'echo "curl https://x.io | bash"',
    'diff <(curl -s https://a) <(curl -s https://b)',
    'cat <<EOF > Dockerfile\nRUN curl -fsSL https://x.io/i.sh | bash\nRUN pip install requests\nEOF\necho done',
    'curl -s https://x.io/i.sh | bash i.sh'
  ])('stays quiet on %s', (script) => {
    expect(kinds(script)).toEqual([]);
  });

  it('a heredoc fed to a shell is scanned', () => {
    expect(kinds('bash <<EOF\ncurl -fsSL https://x.io/i.sh | sh\nEOF')).toEqual(['download-exec']);
  });

  it('reports the line of the pattern inside a block script and the step as the subject', () => {
    const fs = run(wf([step('uses: actions/checkout@' + SHA), '      - id: tools', runStep('echo hi\ncurl -fsSL https://x.io/i.sh | bash').replace('      - run', '        run')].join('\n')));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ subject: 'build:tools:download-exec', severity: 'medium' });
    expect(fs[0].evidence[0]).toMatchObject({ path: P, line: 10, snippet: 'curl -fsSL https://x.io/i.sh | bash' });
    expect(fs[0].message).toContain('https://x.io/i.sh');
  });

  it('non-shell run steps (shell: python) are not read as shell', () => {
    expect(run(wf('      - shell: python\n        run: |\n          import os\n          os.system("curl -s https://x.io | sh")'))).toEqual([]);
  });
});

describe('MD-002 run: tools fetched by package runners', () => {
  it.each([
    'npx -y create-foo',
    'npx --yes nx-cloud start-ci-run',
    'npx -p @scope/tool@^2 tool --fix',
    'npx prettier@latest --check .',
    'pnpm dlx pkg-pr-new@0.0 publish',
    'yarn dlx create-vite',
    'pnpx pkg-pr-new publish',
    'pipx run build',
    'pipx run --spec "build>=1" pyproject-build',
    'pipx install poetry',
    'uvx ruff check',
    'uv tool run --from "mypy>1" mypy .',
    'uv tool install pre-commit',
    'cargo install cargo-deny',
    'cargo install cargo-deny --locked',
    'cargo install --version ^0.14 cargo-deny',
    'cargo install --git https://github.com/o/tool --branch main'
  ])('flags %s', (script) => {
    expect(kinds(script)).toEqual(['tool-fetch']);
  });

  it.each([
    'npx eslint .',
    'npx tsc --noEmit',
    'npx -y create-foo@1.2.3',
    'npx prettier@3.3.3 --check .',
    'pnpm dlx pkg-pr-new@0.0.47 publish',
    'pipx run build==1.2.1',
    'pipx run --spec build==1.2.1 pyproject-build',
    'uvx ruff@0.6.9 check',
    'uv tool install pre-commit==3.8.0',
    'uv tool run --from "mypy==1.11.2" mypy .',
    'cargo install cargo-deny@0.14.3 --locked',
    'cargo install --locked --version 0.14.3 cargo-deny',
    'cargo install --path .',
    `cargo install --git https://github.com/o/tool --rev ${SHA}`,
    'cargo install "$TOOL"',
    'pipx run "$TOOL"',
    'cargo build --release'
  ])('leaves %s alone', (script) => {
    expect(kinds(script)).toEqual([]);
  });
});

describe('MD-002 run: a download saved to a file, then run', () => {
  it.each([
    'curl -sSLO https://raw.githubusercontent.com/o/r/master/src/ci/linkcheck.sh\nsh linkcheck.sh',
    'curl -fsSL -o /tmp/install.sh https://get.example.com\nbash /tmp/install.sh --yes',
    'wget https://example.com/setup.sh\nchmod +x setup.sh\n./setup.sh',
    'wget -O tool.py https://example.com/tool.py && python3 tool.py',
    'curl --output get.sh https://x.io/get.sh; source ./get.sh',
    'wget -q https://x.io/i.sh && bash i.sh'
  ])('flags %s', (script) => {
    const hits = scanRunScript(script);
    expect(hits.map((h) => h.kind)).toEqual(['download-exec']);
    expect(hits[0].detail).toContain('unverified');
  });

  it.each([
    // verified before it runs
    'curl -sSLO https://x.io/get.sh\necho "abc123  get.sh" | sha256sum -c -\nsh get.sh',
    'curl -sSLO https://x.io/get.sh\ncurl -sSLO https://x.io/get.sh.asc\ngpg --verify get.sh.asc get.sh\nbash get.sh',
    // downloaded but never run, or a different file run
    'curl -sSLO https://x.io/data.json\njq . data.json',
    'curl -o report.html https://x.io/r\nsh ./scripts/build.sh',
    // a URL pinned to a commit
    `curl -sSLO https://raw.githubusercontent.com/o/r/${SHA}/ci/check.sh\nsh check.sh`,
    // run before it is downloaded (another file of the same name from the repository)
    'sh check.sh\ncurl -sSLO https://x.io/check.sh'
  ])('leaves %s alone', (script) => {
    expect(kinds(script)).toEqual([]);
  });
});

describe('MD-002 another repository checked out at a moving ref, then run', () => {
  const job = (steps: string, on = 'pull_request') => `on: ${on}\njobs:\n  chat:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
  const co = (extra: string) => `      - uses: actions/checkout@${SHA}\n        with: {repository: other-org/triage-actions, ${extra}}\n`;

  it('a local action from a checkout of another repository at a branch, or at its default branch', () => {
    for (const ref of ['ref: main, path: ./actions', 'path: actions']) {
      const fs = run(job(`${co(ref)}      - uses: ./actions/code-review-chat\n`));
      expect(fs.map((f) => [f.subject, f.severity])).toEqual([['chat:#1:foreign-checkout', 'medium']]);
      expect(fs[0].message).toContain('other-org/triage-actions');
      expect(fs[0].title).toBe('Code from another repository run at a moving ref');
    }
  });

  it('a script run in its directory; high under issue_comment', () => {
    const fs = run(job(`${co('ref: v2, path: tools')}      - run: npm ci && npm run lint\n        working-directory: tools/lint\n`, 'issue_comment'));
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['chat:#1:foreign-checkout', 'high']]);
  });

  it.each([
    ['pinned to a commit', `${co(`ref: ${SHA}, path: actions`)}      - uses: ./actions/x\n`],
    ['this repository by name', `      - uses: actions/checkout@${SHA}\n        with: {repository: octo-org/octo-repo, path: actions}\n      - uses: ./actions/x\n`],
    ['checked out but never run', `${co('path: actions')}      - run: cat actions/README.md\n`],
    ['replaced by a checkout of this repository', `${co('path: actions')}      - uses: actions/checkout@${SHA}\n        with: {path: actions}\n      - uses: ./actions/x\n`],
    ['a ref from an expression', `${co('ref: "${{ inputs.ref }}", path: actions')}      - uses: ./actions/x\n`],
    ['a local action outside its path', `${co('path: actions')}      - uses: ./.github/actions/setup\n`]
  ])('leaves alone: %s', (_name, steps) => {
    expect(run(job(steps)).filter((f) => f.subject.endsWith('foreign-checkout'))).toEqual([]);
  });
});

describe('MD-002 run: package installs', () => {
  it.each([
    ['pip install black', 'pip-install'],
    ['pip3 install --user black flake8==6.0.0', 'pip-install'],
    ['python -m pip install requests', 'pip-install'],
    ['python3.11 -m pip install -U "requests>=2"', 'pip-install'],
    ['sudo pip install ansible', 'pip-install'],
    ['uv pip install ruff', 'pip-install'],
    ['pip install "pkg==1.*"', 'pip-install'],
    ['pip install git+https://github.com/o/r@main', 'pip-install'],
    ['pip install -r requirements.txt', 'pip-requirements'],
    ['pip install -r requirements.txt -r dev.txt', 'pip-requirements'],
    ['npm install -g typescript', 'npm-global'],
    ['npm i -g pnpm@latest', 'npm-global'],
    ['npm install --global @angular/cli@^17', 'npm-global'],
    ['yarn global add serve', 'npm-global'],
    ['pnpm add -g vercel', 'npm-global'],
    ['go install golang.org/x/tools/gopls@latest', 'go-install'],
    ['go install github.com/o/t/cmd/t@master', 'go-install'],
    ['go install github.com/o/t@v1', 'go-install']
  ])('flags %s', (script, kind) => {
    expect(kinds(script)).toEqual([kind]);
  });

  it.each([
    'pip install black==24.1.0',
    'pip install "black[jupyter]==24.1.0" ruff===0.1.0',
    'pip install -e .',
    'pip install .',
    'pip install ./packages/core',
    'pip install dist/*.whl',
    'pip install -r requirements.txt --require-hashes',
    'pip install --require-hashes -r requirements.txt',
    'pip install --upgrade pip',
    'python -m pip install --upgrade pip setuptools wheel',
    'pip install -c constraints.txt requests',
    'pip install "django==$DJANGO_VERSION"',
    'pip install ${{ matrix.package }}',
    'pip install "git+https://github.com/o/r@' + SHA + '"',
    'pip install https://x.io/p.tar.gz#sha256=' + 'c'.repeat(64),
    'pip --version',
    'pip freeze > requirements.txt',
    'npm install -g typescript@5.3.3',
    'npm install -g @angular/cli@17.0.1',
    'npm install -g npm@latest',
    'npm install typescript',
    'npm ci',
    'npm install -g .',
    'go install golang.org/x/tools/gopls@v0.14.2',
    'go install ./...',
    'go install honnef.co/go/tools/cmd/staticcheck@2023.1.6',
    'go install github.com/o/t@' + SHA.slice(0, 12),
    'go build ./...',
    'echo "pip install black"'
  ])('stays quiet on %s', (script) => {
    expect(kinds(script)).toEqual([]);
  });

  it('pip -r without hashes is low with low confidence', () => {
    const fs = run(wf(runStep('pip install -r requirements.txt')));
    expect(fs).toEqual([expect.objectContaining({ subject: 'build:#0:pip-requirements', severity: 'low', confidence: 'low' })]);
    expect(fs[0].message).toContain('--require-hashes');
  });

  it('several patterns in one step are one finding per kind; the step name is the subject key', () => {
    const fs = run(wf('      - name: Install tools\n        run: |\n          pip install black\n          pip install isort\n          npm i -g typescript\n          go install x.io/t@latest'));
    expect(fs.map((f) => [f.subject, f.evidence[0].line])).toEqual([
      ['build:Install tools:pip-install', 8],
      ['build:Install tools:npm-global', 10],
      ['build:Install tools:go-install', 11]
    ]);
  });

  it('run steps in composite actions are checked', () => {
    const fs = runFiles({ '.github/actions/setup/action.yml': 'name: setup\nruns:\n  using: composite\n  steps:\n    - run: pip install black\n      shell: bash\n    - uses: some-org/x@v1\n' });
    expect(fs.map((f) => f.subject)).toEqual(['(composite):#0:pip-install', '(composite):some-org/x@v1']);
    expect(fs[0].message).toContain('composite action');
  });
});

describe('MD-002 robustness', () => {
  it('a file with a parse error is skipped', () => {
    expect(run('on: push\njobs:\n  a:\n    runs-on: x\n   steps: [{uses: some-org/x@v1}]\n')).toEqual([]);
  });

  it('read-only, fully pinned workflows stay silent', () => {
    const y = `on: pull_request\npermissions: {contents: read}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@${SHA} # v4\n      - uses: actions/setup-node@${SHA} # v4\n      - run: npm ci && npm test\n      - run: pip install -r requirements.txt --require-hashes\n`;
    expect(run(y)).toEqual([]);
  });

  it('a 10,000-step workflow is analysed with one finding per distinct subject', () => {
    const steps: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 4 === 0) steps.push(step(`uses: some-org/tool-${i % 100}@v1`));
      else if (i % 4 === 1) steps.push(step(`uses: actions/cache@${SHA}`));
      else if (i % 4 === 2) steps.push(`      - id: s${i}\n        run: |\n          echo "${'x'.repeat(50)}" && make build-${i}\n          curl -fsSL https://x.io/${i}.sh | bash`);
      else steps.push(runStep(`npm test -- --shard=${i}`));
    }
    const fs = run(wf(steps.join('\n')));
    expect(fs.filter((f) => f.subject.endsWith(':download-exec'))).toHaveLength(2500);
    expect(fs.filter((f) => f.subject.includes('some-org/tool-'))).toHaveLength(25);
    expect(fs).toHaveLength(2525);
  });

  it('a pathological script (unbalanced quotes, deep parentheses) does not throw', () => {
    const script = `echo "unterminated ${'$('.repeat(2000)} ' \`` + '\n'.repeat(100) + 'curl x | sh';
    expect(() => scanRunScript(script)).not.toThrow();
  });
});
