/**
 * Static checks of docker/ (no Docker engine or compose plugin is available here): the compose
 * file starts the real commands with flags and variables the code actually reads, the servers
 * share what they must share, every server has workers and a GPU reservation behind it, the load
 * balancer is sticky by session id, and the Dockerfiles pass the lint rules.
 *   node --conditions=@maskroom/source --import tsx tools/validate-docker.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/src/config.js';
import { execForm, lintDockerfile, parseDockerfile, type Dockerfile } from './dockerfile-lint.js';
import { parseYaml, type YamlValue } from './yaml-lite.js';

export interface RepoFacts {
  /** Variables server/src/config.ts reads. */
  readonly serverEnv: ReadonlySet<string>;
  /** The worker's command-line flags, with their choices where argparse restricts them. */
  readonly workerFlags: ReadonlyMap<string, readonly string[] | null>;
  /** Variables the worker package reads. */
  readonly workerEnv: ReadonlySet<string>;
  /** How `npm start` starts the server. */
  readonly startScript: string;
  /** client/src/session/connection.ts, where the collaboration socket URL is built. */
  readonly clientConnection: string;
}

/** Read by libraries inside the worker image, not by our code. */
const THIRD_PARTY_WORKER_ENV = new Set([
  'HF_TOKEN',
  'HF_HOME',
  'CUDA_VISIBLE_DEVICES',
  'PYTORCH_CUDA_ALLOC_CONF',
]);
/** Read by Node itself or its libraries. */
const THIRD_PARTY_SERVER_ENV = new Set(['NODE_ENV', 'NODE_OPTIONS']);
const SERVER_COMMAND = ['node', 'server/dist/main.js'];
const WORKER_MODULE = ['python', '-m', 'maskroom_worker'];

export function readRepoFacts(root: string): RepoFacts {
  const config = readFileSync(path.join(root, 'server/src/config.ts'), 'utf8');
  const schema = config.slice(
    config.indexOf('const envSchema'),
    config.indexOf('});', config.indexOf('const envSchema')),
  );
  const serverEnv = new Set([...schema.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s*z\s*\./gm)].map((m) => m[1]!));

  const pkgDir = path.join(root, 'gpu-worker/maskroom_worker');
  const pySources = listPy(pkgDir).map((f) => readFileSync(f, 'utf8'));
  const workerEnv = new Set(
    pySources.flatMap((src) =>
      [...src.matchAll(/os\.environ(?:\.get\(|\[)\s*["']([A-Z0-9_]+)["']/g)].map((m) => m[1]!),
    ),
  );
  const cli = readFileSync(path.join(pkgDir, 'config.py'), 'utf8');
  const workerFlags = new Map<string, readonly string[] | null>();
  for (const m of cli.matchAll(/add_argument\(\s*"(--[a-z-]+)"([^)]*)\)/g)) {
    const choices = /choices=\[([^\]]*)\]/.exec(m[2]!);
    workerFlags.set(m[1]!, choices ? [...choices[1]!.matchAll(/"([^"]+)"/g)].map((c) => c[1]!) : null);
  }
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const clientConnection = readFileSync(path.join(root, 'client/src/session/connection.ts'), 'utf8');
  return { serverEnv, workerFlags, workerEnv, startScript: pkg.scripts.start, clientConnection };
}

function listPy(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listPy(path.join(dir, e.name)) : e.name.endsWith('.py') ? [path.join(dir, e.name)] : [],
  );
}

/** Compose's variable substitution: `${X}`, `${X:-default}`, `${X-default}`, `${X:?message}`, `$$`. */
export function interpolate(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (whole, name, op, arg) => {
    if (whole === '$$') return '$';
    const v = env[name as string];
    const unset = v === undefined || (typeof op === 'string' && op.startsWith(':') && v === '');
    if (!unset) return v;
    if (op === ':-' || op === '-') return arg as string;
    if (op === ':?' || op === '?') throw new Error(`${name as string} is required: ${arg as string}`);
    return '';
  });
}

type Service = { [key: string]: YamlValue };
const isMap = (v: YamlValue | undefined): v is { [key: string]: YamlValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: YamlValue | undefined): string[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;

export interface ComposeInputs {
  readonly compose: YamlValue;
  readonly serverImage: Dockerfile;
  readonly workerImage: Dockerfile;
  readonly facts: RepoFacts;
  /** Values for `${…}` in the compose file (what an operator would put in .env). */
  readonly env: Readonly<Record<string, string>>;
}

/** Problems with the compose file, as sentences; empty when it is consistent with the code. */
export function checkCompose({ compose, serverImage, workerImage, facts, env }: ComposeInputs): string[] {
  const problems: string[] = [];
  if (!isMap(compose) || !isMap(compose['services'])) return ['compose.yaml has no services'];
  const services = compose['services'] as { [name: string]: Service };
  const declaredVolumes = new Set(isMap(compose['volumes']) ? Object.keys(compose['volumes']) : []);
  const dockerfileOf = (s: Service): string | undefined =>
    isMap(s['build']) && typeof s['build']['dockerfile'] === 'string' ? s['build']['dockerfile'] : undefined;
  const servers = Object.keys(services).filter(
    (n) => dockerfileOf(services[n]!) === 'docker/Dockerfile.server',
  );
  const workers = Object.keys(services).filter(
    (n) => dockerfileOf(services[n]!) === 'docker/Dockerfile.worker',
  );
  if (servers.length < 2)
    problems.push(`${servers.length} server service(s); the topology needs at least two`);
  if (workers.length < 1) problems.push('no worker service');

  const envOf = (name: string, s: Service): Record<string, string> => {
    const raw = s['environment'];
    if (raw === undefined) return {};
    if (!isMap(raw)) {
      problems.push(`${name}: write environment as a mapping`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
      if (typeof v !== 'string')
        problems.push(`${name}: ${k} must be a string (quote it), got ${JSON.stringify(v)}`);
      try {
        out[k] = interpolate(String(v), env);
      } catch (e) {
        problems.push(`${name}: ${k}: ${(e as Error).message}`);
      }
    }
    return out;
  };
  const volumesOf = (name: string, s: Service): { source: string; target: string; ro: boolean }[] =>
    (strings(s['volumes']) ?? []).map((v) => {
      const [source = '', target = '', mode] = v.split(':');
      if (!source.startsWith('.') && !source.startsWith('/') && !declaredVolumes.has(source))
        problems.push(`${name}: volume ${source} is not declared under volumes:`);
      return { source, target, ro: mode === 'ro' };
    });
  const effectiveCommand = (s: Service, image: Dockerfile): string[] => {
    const final = image.stages[image.stages.length - 1]?.instructions ?? [];
    const last = (k: string): string[] => {
      const found = final.filter((i) => i.keyword === k);
      return found.length ? (execForm(found[found.length - 1]!.args) ?? []) : [];
    };
    const entrypoint = strings(s['entrypoint']) ?? last('ENTRYPOINT');
    return [...entrypoint, ...(strings(s['command']) ?? last('CMD'))];
  };

  for (const [name, s] of Object.entries(services)) {
    if (typeof s['image'] === 'string' && !s['build']) {
      const image = s['image'];
      if (!/:[^/:]+$/.test(image) || /:latest$/.test(image))
        problems.push(`${name}: image ${image} is not pinned`);
    }
    const deps = s['depends_on'];
    for (const dep of isMap(deps) ? Object.keys(deps) : (strings(deps) ?? []))
      if (!services[dep]) problems.push(`${name}: depends on unknown service ${dep}`);
    if (s['command'] !== undefined && !strings(s['command']))
      problems.push(`${name}: command must be a list (exec form), not a shell string`);
  }

  // Servers.
  const serverFacts = new Map<string, { port: number; workerPort: number; dataDir: string }>();
  const shared = new Map<string, Set<string>>();
  const remember = (key: string, value: string): void => {
    shared.set(key, (shared.get(key) ?? new Set()).add(value));
  };
  if (!facts.startScript.includes(SERVER_COMMAND.join(' ')))
    problems.push(`npm start no longer runs "${SERVER_COMMAND.join(' ')}": update the images`);
  for (const name of servers) {
    const s = services[name]!;
    const cmd = effectiveCommand(s, serverImage);
    if (cmd.join(' ') !== SERVER_COMMAND.join(' '))
      problems.push(`${name}: runs "${cmd.join(' ')}", not "${SERVER_COMMAND.join(' ')}"`);
    const environment = envOf(name, s);
    for (const k of Object.keys(environment))
      if (!facts.serverEnv.has(k) && !THIRD_PARTY_SERVER_ENV.has(k))
        problems.push(`${name}: ${k} is not a variable server/src/config.ts reads`);
    let config;
    try {
      config = loadConfig({ ...imageEnv(serverImage), ...environment });
    } catch (e) {
      problems.push(`${name}: the server would refuse its configuration: ${(e as Error).message}`);
      continue;
    }
    if (config.authMode !== 'accounts') problems.push(`${name}: other machines need MASKROOM_AUTH=accounts`);
    if (config.localWorker)
      problems.push(`${name}: MASKROOM_LOCAL_WORKER must be off (workers are services)`);
    const db = config.databaseUrl ? new URL(config.databaseUrl) : null;
    if (!db || !db.protocol.startsWith('postgres'))
      problems.push(`${name}: DATABASE_URL must name PostgreSQL`);
    else if (!services[db.hostname])
      problems.push(`${name}: DATABASE_URL host ${db.hostname} is not a service`);
    const redis = config.redisUrl ? new URL(config.redisUrl) : null;
    if (!redis) problems.push(`${name}: REDIS_URL is required with several instances`);
    else if (!services[redis.hostname])
      problems.push(`${name}: REDIS_URL host ${redis.hostname} is not a service`);
    const workerPort = Number(/:(\d+)$/.exec(config.workerEndpoint)?.[1]);
    if (!/^tcp:\/\/(0\.0\.0\.0|\*):\d+$/.test(config.workerEndpoint))
      problems.push(
        `${name}: MASKROOM_WORKER_ENDPOINT ${config.workerEndpoint} must bind all interfaces on a fixed port`,
      );
    const dataDir = environment['MASKROOM_DATA_DIR'] ?? imageEnv(serverImage)['MASKROOM_DATA_DIR'] ?? '';
    const dataVolume = volumesOf(name, s).find((v) => v.target === dataDir);
    if (!dataVolume || dataVolume.ro)
      problems.push(`${name}: no writable volume at the data directory ${dataDir}`);
    else remember('data volume', dataVolume.source);
    remember('DATABASE_URL', config.databaseUrl ?? '');
    remember('REDIS_URL', config.redisUrl ?? '');
    remember('MASKROOM_DATA_DIR', dataDir);
    serverFacts.set(name, { port: config.port, workerPort, dataDir });
    const test = strings(isMap(s['healthcheck']) ? s['healthcheck']['test'] : undefined);
    if (test && !test.join(' ').includes(`127.0.0.1:${config.port}/api/health`))
      problems.push(`${name}: its healthcheck does not ask /api/health on port ${config.port}`);
    if (!test && !healthOf(serverImage).includes('/api/health'))
      problems.push(`${name}: no healthcheck on /api/health`);
  }
  for (const [key, values] of shared)
    if (values.size > 1)
      problems.push(`the servers differ in ${key} (${[...values].join(', ')}): they must share it`);
  for (const k of Object.keys(imageEnv(serverImage)))
    if (!facts.serverEnv.has(k) && !THIRD_PARTY_SERVER_ENV.has(k))
      problems.push(`Dockerfile.server: ENV ${k} is not a variable server/src/config.ts reads`);
  if (!healthOf(serverImage).includes('/api/health'))
    problems.push('Dockerfile.server: HEALTHCHECK must ask /api/health');

  // Workers.
  const served = new Set<string>();
  for (const name of workers) {
    const s = services[name]!;
    const cmd = effectiveCommand(s, workerImage);
    if (cmd.slice(0, 3).join(' ') !== WORKER_MODULE.join(' ')) {
      problems.push(`${name}: runs "${cmd.join(' ')}", not "${WORKER_MODULE.join(' ')} …"`);
      continue;
    }
    const args = new Map<string, string>();
    const rest = cmd.slice(3);
    for (let i = 0; i < rest.length; i++) {
      const [flag = '', inline] = rest[i]!.split(/=(.*)/s);
      if (!facts.workerFlags.has(flag)) {
        problems.push(`${name}: maskroom_worker has no flag ${flag}`);
        continue;
      }
      const value = inline ?? rest[++i] ?? '';
      const choices = facts.workerFlags.get(flag);
      if (choices && !choices.includes(value))
        problems.push(`${name}: ${flag} ${value} is not one of ${choices.join(', ')}`);
      args.set(flag, value);
    }
    const environment = envOf(name, s);
    for (const k of Object.keys(environment))
      if (!facts.workerEnv.has(k) && !THIRD_PARTY_WORKER_ENV.has(k))
        problems.push(`${name}: ${k} is read neither by the worker nor by its libraries`);
    const endpoint = args.get('--endpoint') ?? environment['MASKROOM_WORKER_ENDPOINT'];
    const m = endpoint ? /^tcp:\/\/([^:]+):(\d+)$/.exec(endpoint) : null;
    const target = m ? serverFacts.get(m[1]!) : undefined;
    if (!m || !target)
      problems.push(`${name}: its endpoint ${endpoint ?? '(default)'} is not a server service`);
    else if (Number(m[2]) !== target.workerPort)
      problems.push(
        `${name}: connects to port ${m[2]}, but ${m[1]} binds its workers on ${target.workerPort}`,
      );
    else served.add(m[1]!);
    const backend = args.get('--backend') ?? 'classical';
    const device = args.get('--device') ?? (backend === 'sam3' ? 'cuda:0' : 'cpu');
    if (backend === 'sam3' && !/^cuda(:\d+)?$/.test(device))
      problems.push(`${name}: sam3 needs a cuda device`);
    if (backend === 'classical' && device !== 'cpu') problems.push(`${name}: classical runs on the cpu only`);
    if (backend === 'sam3') {
      const deploy = s['deploy'];
      const resources = isMap(deploy) ? deploy['resources'] : undefined;
      const reservations = isMap(resources) ? resources['reservations'] : undefined;
      const devices = isMap(reservations) ? reservations['devices'] : undefined;
      const gpu =
        Array.isArray(devices) &&
        devices.some(
          (d) => isMap(d) && (strings(d['capabilities']) ?? []).includes('gpu') && d['count'] !== 0,
        );
      if (!gpu)
        problems.push(`${name}: a sam3 worker needs deploy.resources.reservations.devices with a gpu`);
    }
    // The server sends frame folders by their path on disk, so the worker must see the same path.
    const dataDir = target?.dataDir;
    const mount = volumesOf(name, s).find((v) => v.target === dataDir);
    if (dataDir && (!mount || mount.source !== [...(shared.get('data volume') ?? [])][0]))
      problems.push(
        `${name}: the servers' data volume must be mounted at ${dataDir} (frames are sent as paths)`,
      );
  }
  for (const name of servers)
    if (!served.has(name))
      problems.push(`${name}: no worker connects to it, so its prompts would fail NO_WORKER`);
  return problems;
}

/** ENV of the final stage, as the container starts with it. */
function imageEnv(image: Dockerfile): Record<string, string> {
  const out: Record<string, string> = {};
  const final = image.stages[image.stages.length - 1]?.instructions ?? [];
  for (const ins of final.filter((i) => i.keyword === 'ENV'))
    for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
      out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

function healthOf(image: Dockerfile): string {
  const final = image.stages[image.stages.length - 1]?.instructions ?? [];
  return final.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
}

/** Problems with the nginx configuration: stickiness by session id, sockets upgraded, every server listed. */
export function checkLoadBalancer(conf: string, compose: YamlValue, facts: RepoFacts): string[] {
  const problems: string[] = [];
  const text = conf.replace(/#.*$/gm, '');
  const services = isMap(compose) && isMap(compose['services']) ? compose['services'] : {};
  const servers = Object.entries(services)
    .filter(
      ([, s]) => isMap(s) && isMap(s['build']) && s['build']['dockerfile'] === 'docker/Dockerfile.server',
    )
    .map(([n]) => n);
  const hash = /hash\s+\$(\w+)\s+consistent\s*;/.exec(text);
  if (!hash) problems.push('the upstream is not a consistent hash');
  const key = hash?.[1];
  const map = key ? new RegExp(`map\\s+\\$\\w+\\s+\\$${key}\\s*\\{([^}]*)\\}`).exec(text) : null;
  if (key && !map) problems.push(`no map defines $${key}`);
  if (map && !map[1]!.includes('/api/sessions/')) problems.push('the hash key ignores /api/sessions/<id>');
  if (map && !/session=/.test(map[1]!)) problems.push('the hash key ignores ?session=<id>');
  if (!/\/collab\?session=/.test(facts.clientConnection))
    problems.push('the client no longer puts ?session=<id> on the collaboration socket URL');
  const listed = [...text.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => m[1]!);
  for (const s of servers) if (!listed.includes(s)) problems.push(`the upstream lacks ${s}`);
  for (const s of listed)
    if (!servers.includes(s)) problems.push(`the upstream lists ${s}, which is not a server`);
  const collab = /location\s+\/collab\s*\{([^}]*)\}/.exec(text);
  if (!collab) problems.push('no location for /collab');
  else {
    if (!/proxy_set_header\s+Upgrade\s+\$http_upgrade/.test(collab[1]!))
      problems.push('/collab: no Upgrade header');
    if (!/proxy_set_header\s+Connection\s+\$connection_upgrade/.test(collab[1]!))
      problems.push('/collab: no Connection upgrade header');
  }
  // The server compares Origin with Host (port included) before accepting a socket or a write.
  for (const m of text.matchAll(/location\s+([^\s{]+)\s*\{([^}]*)\}/g))
    if (/proxy_pass/.test(m[2]!) && !/proxy_set_header\s+Host\s+\$http_host\s*;/.test(m[2]!))
      problems.push(`location ${m[1]}: must pass Host as $http_host`);
  return problems;
}

/** Every check over the repository's docker/ folder. */
export function validateDocker(root: string, env: Readonly<Record<string, string>> = EXAMPLE_ENV): string[] {
  const read = (p: string): string => readFileSync(path.join(root, p), 'utf8');
  const facts = readRepoFacts(root);
  const compose = parseYaml(read('docker/compose.yaml'));
  const serverText = read('docker/Dockerfile.server');
  const workerText = read('docker/Dockerfile.worker');
  const lint = (file: string, text: string, requireHealthcheck: boolean): string[] =>
    lintDockerfile(text, { minStages: 2, requireHealthcheck }).map(
      (p) => `${file}:${p.line}: ${p.rule}: ${p.message}`,
    );
  return [
    ...lint('docker/Dockerfile.server', serverText, true),
    ...lint('docker/Dockerfile.worker', workerText, false),
    ...checkCompose({
      compose,
      serverImage: parseDockerfile(serverText),
      workerImage: parseDockerfile(workerText),
      facts,
      env,
    }),
    ...checkLoadBalancer(read('docker/nginx.conf'), compose, facts),
  ];
}

/** What an operator must provide (compose refuses to start without it). */
export const EXAMPLE_ENV: Readonly<Record<string, string>> = { POSTGRES_PASSWORD: 'example-password' };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const problems = validateDocker(root);
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} problem(s) in docker/` : 'docker/: ok');
  process.exitCode = problems.length ? 1 : 0;
}
