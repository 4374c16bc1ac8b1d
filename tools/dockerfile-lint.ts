/**
 * The Dockerfile rules this repository holds its images to (a subset of hadolint's, which cannot
 * be installed here, plus our own): pinned base images, exec-form commands so signals reach the
 * process, a non-root final user, a declared health check, no remote ADD, tidy package installs.
 */

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
  /** Index of the build stage the instruction belongs to (-1 before the first FROM). */
  readonly stage: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

export interface Dockerfile {
  readonly instructions: Instruction[];
  readonly stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const stages: Stage[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    // Continuation lines; comment lines inside a continuation are dropped, as Docker does.
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue;
      line = line.slice(0, -1).trimEnd() + ' ' + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === 'FROM') {
      const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const as = parts.findIndex((p) => p.toUpperCase() === 'AS');
      stages.push({ image: parts[0] ?? '', name: as >= 0 ? parts[as + 1] : undefined, instructions: [] });
    }
    const ins = { keyword, args, line: start + 1, stage: stages.length - 1 };
    instructions.push(ins);
    stages[stages.length - 1]?.instructions.push(ins);
  }
  return { instructions, stages };
}

/** The argument vector of an exec-form (JSON array) CMD/ENTRYPOINT/HEALTHCHECK CMD; null for shell form. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** `--flag=value` options at the start of an instruction's arguments. */
export function flagsOf(args: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (const token of args.split(/\s+/)) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(token);
    if (!m) break;
    flags.set(m[1]!, m[2] ?? '');
  }
  return flags;
}

export interface LintOptions {
  /** At least this many stages (multi-stage builds keep compilers out of the runtime). */
  readonly minStages?: number;
  /** The final stage must declare a HEALTHCHECK with a command (`NONE` does not count). */
  readonly requireHealthcheck?: boolean;
}

export interface LintProblem {
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

const ROOT_USERS = new Set(['root', '0', 'root:root', '0:0']);

export function lintDockerfile(text: string, opts: LintOptions = {}): LintProblem[] {
  const file = parseDockerfile(text);
  const problems: LintProblem[] = [];
  const report = (rule: string, line: number, message: string): void => {
    problems.push({ rule, line, message });
  };
  const stageNames = new Set<string>();
  for (const ins of file.instructions) {
    if (ins.stage < 0 && ins.keyword !== 'ARG') report('from-first', ins.line, `${ins.keyword} before FROM`);
    switch (ins.keyword) {
      case 'FROM': {
        const stage = file.stages[ins.stage]!;
        if (!stageNames.has(stage.image)) {
          const pinned = /@sha256:[0-9a-f]{64}$/.test(stage.image) || /:[^/:]+$/.test(stage.image);
          if (stage.image.includes('$')) report('from-pinned', ins.line, 'base image from a variable');
          else if (!pinned) report('from-pinned', ins.line, `${stage.image}: pin a tag or digest`);
          else if (/:latest$/.test(stage.image))
            report('from-pinned', ins.line, `${stage.image}: not "latest"`);
          else if (/:\d+$/.test(stage.image) || /:[a-z]+$/.test(stage.image))
            report(
              'from-pinned',
              ins.line,
              `${stage.image}: pin a full version, not a moving major or name tag`,
            );
        }
        if (stage.name) stageNames.add(stage.name);
        break;
      }
      case 'ADD':
        report(
          'no-add',
          ins.line,
          /\b(https?|git):\/\//.test(ins.args) ? 'ADD of a URL' : 'use COPY, not ADD',
        );
        break;
      case 'COPY': {
        const from = flagsOf(ins.args).get('from');
        if (from !== undefined && !stageNames.has(from) && !/^\d+$/.test(from))
          report('copy-from', ins.line, `COPY --from=${from}: no earlier stage has that name`);
        break;
      }
      case 'CMD':
      case 'ENTRYPOINT':
        if (!execForm(ins.args))
          report(
            'exec-form',
            ins.line,
            `${ins.keyword} in shell form: signals go to /bin/sh, not the process`,
          );
        break;
      case 'WORKDIR':
        if (!ins.args.startsWith('/'))
          report('workdir-absolute', ins.line, `WORKDIR ${ins.args} is relative`);
        break;
      case 'RUN': {
        const cmd = ins.args;
        if (/(^|[\s;&|])sudo\s/.test(cmd)) report('no-sudo', ins.line, 'sudo in RUN');
        if (/apt-get\s+(\S+\s+)*install/.test(cmd)) {
          if (!/--no-install-recommends/.test(cmd))
            report('apt-recommends', ins.line, 'apt-get install without --no-install-recommends');
          if (!/rm -rf \/var\/lib\/apt\/lists/.test(cmd))
            report(
              'apt-lists',
              ins.line,
              'apt lists left in the layer: rm -rf /var/lib/apt/lists/* in the same RUN',
            );
          if (!/apt-get update/.test(cmd))
            report('apt-update', ins.line, 'apt-get install without apt-get update in the same RUN');
        }
        if (/(^|\s)pip3?\s+install/.test(cmd) && !/--no-cache-dir/.test(cmd))
          report('pip-cache', ins.line, 'pip install without --no-cache-dir');
        if (/(^|\s)npm\s+(install|i)(\s|$)/.test(cmd))
          report('npm-ci', ins.line, 'npm install in an image: use npm ci (the lockfile decides)');
        break;
      }
      default:
        break;
    }
  }
  const final = file.stages[file.stages.length - 1];
  if (!final) {
    report('from-first', 1, 'no FROM');
    return problems;
  }
  if (file.stages.length < (opts.minStages ?? 1))
    report('multi-stage', 1, `${file.stages.length} stage(s); expected at least ${opts.minStages}`);
  const users = final.instructions.filter((i) => i.keyword === 'USER');
  const lastUser = users[users.length - 1];
  if (!lastUser)
    report('non-root', final.instructions[0]!.line, 'the final stage never sets USER: it runs as root');
  else if (ROOT_USERS.has(lastUser.args)) report('non-root', lastUser.line, 'the final USER is root');
  for (const ins of final.instructions) {
    if (ins.keyword !== 'COPY' || !lastUser || ins.line < lastUser.line) continue;
    // After USER, a COPY without --chown still writes root-owned files: say which owner is meant.
    if (!flagsOf(ins.args).has('chown'))
      report('copy-chown', ins.line, 'COPY after USER without --chown (files would be owned by root)');
  }
  const health = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
  if (health.length > 1) report('healthcheck', health[1]!.line, 'more than one HEALTHCHECK');
  if (health.length === 0)
    report('healthcheck', final.instructions[0]!.line, 'no HEALTHCHECK (or HEALTHCHECK NONE)');
  else if (opts.requireHealthcheck && !/(^|\s)CMD\s/.test(health[0]!.args))
    report('healthcheck', health[0]!.line, 'HEALTHCHECK without a command');
  const cmds = final.instructions.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  if (cmds.length === 0)
    report('exec-form', final.instructions[0]!.line, 'no CMD or ENTRYPOINT in the final stage');
  return problems;
}
