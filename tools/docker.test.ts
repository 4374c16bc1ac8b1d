import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintDockerfile, parseDockerfile } from './dockerfile-lint.js';
import {
  EXAMPLE_ENV,
  checkCompose,
  checkLoadBalancer,
  readRepoFacts,
  validateDocker,
} from './validate-docker.js';
import { YamlError, parseYaml, type YamlValue } from './yaml-lite.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string): string => readFileSync(path.join(root, p), 'utf8');

describe('docker/', () => {
  it('is consistent with the code and passes the Dockerfile rules', () => {
    expect(validateDocker(root)).toEqual([]);
  });
});

describe('compose checks', () => {
  const facts = readRepoFacts(root);
  const serverImage = parseDockerfile(read('docker/Dockerfile.server'));
  const workerImage = parseDockerfile(read('docker/Dockerfile.worker'));
  type Services = Record<string, Record<string, YamlValue> & { environment: Record<string, YamlValue> }>;
  const problemsAfter = (edit: (services: Services) => void, env = EXAMPLE_ENV): string[] => {
    const compose = parseYaml(read('docker/compose.yaml')) as { services: Services };
    edit(compose.services);
    return checkCompose({ compose: compose as unknown as YamlValue, serverImage, workerImage, facts, env });
  };

  it('finds nothing in the real file, and each kind of drift when introduced', () => {
    expect(problemsAfter(() => {})).toEqual([]);
    const cases: [string, (s: Services) => void, RegExp][] = [
      [
        'server command',
        (s) => (s['server-1']!['command'] = ['node', 'server/main.js']),
        /server-1: runs "node server\/main.js"/,
      ],
      [
        'unknown variable',
        (s) => (s['server-2']!.environment['MASKROOM_PORT'] = '1'),
        /MASKROOM_PORT is not a variable/,
      ],
      [
        'local mode',
        (s) => (s['server-1']!.environment['MASKROOM_AUTH'] = 'local'),
        /refuse its configuration/,
      ],
      [
        'invalid value',
        (s) => (s['server-1']!.environment['MASKROOM_MAX_FRAMES'] = 'many'),
        /refuse its configuration/,
      ],
      ['no Redis', (s) => delete s['server-1']!.environment['REDIS_URL'], /REDIS_URL is required/],
      [
        'split database',
        (s) => (s['server-2']!.environment['DATABASE_URL'] = 'postgres://a@postgres/other'),
        /differ in DATABASE_URL/,
      ],
      [
        'split data',
        (s) => (s['server-2']!['volumes'] = ['other:/data']),
        /volume other is not declared|differ in data volume/,
      ],
      [
        'worker flag',
        (s) => (s['worker-1']!['command'] = ['--endpoint', 'tcp://server-1:5560', '--gpu', '0']),
        /no flag --gpu/,
      ],
      [
        'worker backend',
        (s) => (s['worker-1']!['command'] = ['--endpoint', 'tcp://server-1:5560', '--backend', 'sam2']),
        /sam2 is not one of/,
      ],
      [
        'worker port',
        (s) => (s['worker-1']!['command'] = ['--endpoint', 'tcp://server-1:5561']),
        /connects to port 5561/,
      ],
      [
        'orphan server',
        (s) => (s['worker-2']!['command'] = ['--endpoint', 'tcp://server-1:5560']),
        /server-2: no worker connects/,
      ],
      ['no GPU', (s) => delete s['worker-1']!['deploy'], /needs deploy.resources.reservations.devices/],
      [
        'frames unseen',
        (s) => (s['worker-2']!['volumes'] = ['models:/models']),
        /worker-2: the servers' data volume/,
      ],
      [
        'unknown worker env',
        (s) => (s['worker-1']!.environment['SAM3_WEIGHTS'] = 'x'),
        /SAM3_WEIGHTS is read neither/,
      ],
      [
        'unpinned image',
        (s) => (s['redis']!['image'] = 'redis:latest'),
        /redis: image redis:latest is not pinned/,
      ],
      [
        'shell command',
        (s) => (s['redis']!['command'] = 'redis-server --save ""'),
        /redis: command must be a list/,
      ],
    ];
    for (const [what, edit, expected] of cases) {
      expect(problemsAfter(edit).join('\n'), what).toMatch(expected);
    }
    expect(problemsAfter(() => {}, {}).join('\n')).toMatch(/POSTGRES_PASSWORD is required/);
  });

  it('checks the load balancer routes by session and lists exactly the servers', () => {
    const compose = parseYaml(read('docker/compose.yaml'));
    const conf = read('docker/nginx.conf');
    expect(checkLoadBalancer(conf, compose, facts)).toEqual([]);
    expect(
      checkLoadBalancer(conf.replace(/hash \$\w+ consistent;/, 'least_conn;'), compose, facts),
    ).toContain('the upstream is not a consistent hash');
    expect(checkLoadBalancer(conf.replace(/.*server server-2:8080.*\n/, ''), compose, facts)).toContain(
      'the upstream lacks server-2',
    );
    expect(checkLoadBalancer(conf.replaceAll('$http_host', '$host'), compose, facts).join('\n')).toMatch(
      /must pass Host as \$http_host/,
    );
    const oldClient = { ...facts, clientConnection: 'url = `${base}/collab?name=${name}`' };
    expect(checkLoadBalancer(conf, compose, oldClient)).toContain(
      'the client no longer puts ?session=<id> on the collaboration socket URL',
    );
  });
});

describe('Dockerfile rules', () => {
  const good = [
    'FROM node:20.20.2-bookworm-slim AS build',
    'RUN npm ci',
    'FROM node:20.20.2-bookworm-slim',
    'WORKDIR /app',
    'COPY --from=build /src/dist dist',
    'RUN apt-get update \\',
    '  && apt-get install -y --no-install-recommends ffmpeg \\',
    '  && rm -rf /var/lib/apt/lists/*',
    'USER node',
    'HEALTHCHECK CMD ["node", "-e", "1"]',
    'CMD ["node", "dist/main.js"]',
  ];
  const rulesOf = (lines: string[]): string[] =>
    lintDockerfile(lines.join('\n'), { minStages: 2, requireHealthcheck: true }).map((p) => p.rule);
  const swap = (from: string, to: string): string[] => good.map((l) => (l === from ? to : l));

  it('accepts a clean file and names the rule each mistake breaks', () => {
    expect(rulesOf(good)).toEqual([]);
    expect(rulesOf(swap('FROM node:20.20.2-bookworm-slim', 'FROM node:latest'))).toEqual(['from-pinned']);
    expect(rulesOf(swap('FROM node:20.20.2-bookworm-slim', 'FROM node'))).toEqual(['from-pinned']);
    expect(rulesOf(swap('FROM node:20.20.2-bookworm-slim', 'FROM node:20'))).toEqual(['from-pinned']);
    expect(rulesOf(swap('COPY --from=build /src/dist dist', 'ADD https://x.org/a.tgz /a'))).toEqual([
      'no-add',
    ]);
    expect(rulesOf(swap('COPY --from=build /src/dist dist', 'COPY --from=bulid /src/dist dist'))).toEqual([
      'copy-from',
    ]);
    expect(rulesOf(swap('CMD ["node", "dist/main.js"]', 'CMD node dist/main.js'))).toEqual(['exec-form']);
    expect(rulesOf(swap('USER node', 'USER root'))).toEqual(['non-root']);
    expect(rulesOf(good.filter((l) => l !== 'USER node'))).toEqual(['non-root']);
    expect(rulesOf(swap('HEALTHCHECK CMD ["node", "-e", "1"]', 'HEALTHCHECK NONE'))).toEqual(['healthcheck']);
    expect(rulesOf(good.filter((l) => !l.startsWith('HEALTHCHECK')))).toEqual(['healthcheck']);
    expect(rulesOf(swap('  && rm -rf /var/lib/apt/lists/*', '  && true'))).toEqual(['apt-lists']);
    expect(rulesOf(swap('RUN npm ci', 'RUN npm install'))).toEqual(['npm-ci']);
    expect(rulesOf(swap('RUN npm ci', 'RUN pip install torch'))).toEqual(['pip-cache']);
    expect(rulesOf(swap('WORKDIR /app', 'WORKDIR app'))).toEqual(['workdir-absolute']);
    expect(rulesOf([...good.slice(0, 10), 'COPY a b', good[10]!])).toEqual(['copy-chown']);
    expect(rulesOf(good.slice(2).filter((l) => !l.startsWith('COPY')))).toEqual(['multi-stage']);
  });

  it('joins continuation lines and keeps instruction line numbers', () => {
    const file = parseDockerfile(good.join('\n'));
    const run = file.stages[1]!.instructions.find((i) => i.keyword === 'RUN')!;
    expect(run.line).toBe(6);
    expect(run.args).toBe(
      'apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*',
    );
    expect(file.stages.map((s) => s.name)).toEqual(['build', undefined]);
  });
});

describe('yaml-lite', () => {
  it('parses mappings, sequences at and below their key, quoting, flow lists and scalars', () => {
    const text = [
      '# a comment',
      'name: demo # trailing comment',
      'list:',
      '- a',
      '- "b # not a comment"',
      'nested:',
      '  items:',
      '    - key: 1',
      "      other: [x, \"y, z\", 'it''s']",
      '    - - deep',
      '  flags: {}',
      '  empty:',
      '  types: [true, null, 1.5, 08a, "08"]',
      '  url: postgres://u:p@h:5432/db',
      '  port: "8080:80"',
      '  wrapped:',
      '    [',
      "      'CMD',",
      '      "x, y",',
      '    ]',
    ].join('\n');
    expect(parseYaml(text)).toEqual({
      name: 'demo',
      list: ['a', 'b # not a comment'],
      nested: {
        items: [{ key: 1, other: ['x', 'y, z', "it's"] }, ['deep']],
        flags: {},
        empty: null,
        types: [true, null, 1.5, '08a', '08'],
        url: 'postgres://u:p@h:5432/db',
        port: '8080:80',
        wrapped: ['CMD', 'x, y'],
      },
    });
  });

  it('refuses what it does not understand, with the line', () => {
    const refused = [
      'a: &x 1',
      'a: *x',
      'a: |\n  text',
      'a: {b: 1}',
      'a: 1\na: 2',
      'a:\n  b: 1\n   c: 2',
      'a: "open',
    ];
    for (const text of refused) {
      expect(() => parseYaml(text), text).toThrow(YamlError);
    }
    expect(() => parseYaml('a: 1\nb:\n  c: 1\n    d: 2')).toThrow(/line 4/);
  });
});
