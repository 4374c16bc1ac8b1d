/**
 * A parser for the small part of YAML that docker/compose.yaml is written in: block mappings and
 * sequences (including sequences at their key's indentation), plain and quoted scalars, flow
 * sequences of scalars, `{}`, and comments. Anything else (anchors, tags, block scalars, flow
 * mappings, multi-line scalars) is refused with its line number rather than misread: the
 * repository has no YAML package, and a wrong parse would make the compose checks meaningless.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

export class YamlError extends Error {
  override readonly name = 'YamlError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface Line {
  indent: number;
  text: string;
  readonly no: number;
}

export function parseYaml(source: string): YamlValue {
  const lines: Line[] = [];
  const raws = source.split(/\r?\n/);
  for (let i = 0; i < raws.length; i++) {
    const no = i + 1;
    if (/^\s*\t/.test(raws[i]!)) throw new YamlError('tabs are not allowed in indentation', no);
    let text = stripComment(raws[i]!, no).trimEnd();
    if (text.trim() === '' || text === '---') continue;
    // A flow sequence may span lines (Prettier wraps long ones): join it into one logical line.
    while (openBrackets(text, no) > 0) {
      if (++i >= raws.length) throw new YamlError('unterminated flow sequence', no);
      text += ' ' + stripComment(raws[i]!, i + 1).trim();
    }
    const indent = text.length - text.trimStart().length;
    lines.push({ indent, text: text.trimStart(), no });
  }
  if (lines.length === 0) return null;
  const state = { pos: 0 };
  const value = parseBlock(lines, state, lines[0]!.indent);
  if (state.pos < lines.length) throw new YamlError('unexpected indentation', lines[state.pos]!.no);
  return value;
}

function parseBlock(lines: Line[], state: { pos: number }, indent: number): YamlValue {
  const first = lines[state.pos]!;
  // A flow collection on the line below its key (how Prettier places a long one).
  if (first.text.startsWith('[') || first.text.startsWith('{')) {
    state.pos++;
    return parseInline(first.text, first.no);
  }
  return isSequenceItem(first.text)
    ? parseSequence(lines, state, indent)
    : parseMapping(lines, state, indent);
}

const isSequenceItem = (text: string): boolean => text === '-' || text.startsWith('- ');

function parseSequence(lines: Line[], state: { pos: number }, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  while (state.pos < lines.length) {
    const line = lines[state.pos]!;
    if (line.indent < indent) break;
    if (line.indent > indent) throw new YamlError('unexpected indentation', line.no);
    if (!isSequenceItem(line.text)) break;
    const rest = line.text.slice(1);
    const content = rest.trimStart();
    if (content === '') {
      state.pos++;
      const next = lines[state.pos];
      items.push(next && next.indent > indent ? parseBlock(lines, state, next.indent) : null);
    } else if (isSequenceItem(content) || splitKey(content, line.no) !== null) {
      // `- key: value` opens a mapping whose keys line up with `key`: re-read this line as its first key.
      line.indent = indent + 1 + (rest.length - content.length);
      line.text = content;
      items.push(parseBlock(lines, state, line.indent));
    } else {
      state.pos++;
      items.push(parseInline(content, line.no));
    }
  }
  return items;
}

function parseMapping(lines: Line[], state: { pos: number }, indent: number): { [key: string]: YamlValue } {
  const map: { [key: string]: YamlValue } = {};
  while (state.pos < lines.length) {
    const line = lines[state.pos]!;
    if (line.indent < indent) break;
    if (line.indent > indent) throw new YamlError('unexpected indentation', line.no);
    if (isSequenceItem(line.text)) break;
    const split = splitKey(line.text, line.no);
    if (!split) throw new YamlError(`expected "key: value", got ${JSON.stringify(line.text)}`, line.no);
    const [key, rest] = split;
    if (Object.hasOwn(map, key)) throw new YamlError(`duplicate key ${JSON.stringify(key)}`, line.no);
    state.pos++;
    if (rest !== '') {
      map[key] = parseInline(rest, line.no);
      continue;
    }
    const next = lines[state.pos];
    if (next && next.indent > indent) map[key] = parseBlock(lines, state, next.indent);
    else if (next && next.indent === indent && isSequenceItem(next.text))
      map[key] = parseSequence(lines, state, indent);
    else map[key] = null;
  }
  return map;
}

/** `key: rest` → [key, rest]; null when the line is not a mapping entry. */
function splitKey(text: string, no: number): [string, string] | null {
  let i: number;
  let key: string;
  if (text[0] === '"' || text[0] === "'") {
    const end = quotedEnd(text, 0, no);
    key = parseQuoted(text.slice(0, end + 1), no);
    i = end + 1;
    if (text[i] !== ':') return null;
  } else {
    const m = /^([^\s#'"[\]{},:][^:]*?|[^:]*?):(?:\s|$)/.exec(text);
    if (!m) return null;
    key = m[1]!.trim();
    i = m[1]!.length;
    if (key === '' || key.startsWith('[') || key.startsWith('{')) return null;
  }
  const rest = text.slice(i + 1);
  if (rest !== '' && !/^\s/.test(rest)) return null;
  return [key, rest.trim()];
}

function parseInline(text: string, no: number): YamlValue {
  const c = text[0];
  if (c === '&' || c === '*' || c === '!')
    throw new YamlError('anchors, aliases and tags are not supported', no);
  if (c === '|' || c === '>') throw new YamlError('block scalars are not supported', no);
  if (c === '{') {
    if (text === '{}') return {};
    throw new YamlError('flow mappings are not supported', no);
  }
  if (c === '[') return parseFlowSequence(text, no);
  if (c === '"' || c === "'") {
    const end = quotedEnd(text, 0, no);
    if (end !== text.length - 1) throw new YamlError('text after a quoted scalar', no);
    return parseQuoted(text, no);
  }
  return plainScalar(text);
}

function parseFlowSequence(text: string, no: number): YamlValue[] {
  if (!text.endsWith(']')) throw new YamlError('a flow sequence must end on its line', no);
  const body = text.slice(1, -1).trim();
  if (body === '') return [];
  const items: YamlValue[] = [];
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ') i++;
    let item: YamlValue;
    if (body[i] === '"' || body[i] === "'") {
      const end = quotedEnd(body, i, no);
      item = parseQuoted(body.slice(i, end + 1), no);
      i = end + 1;
    } else {
      const comma = body.indexOf(',', i);
      const raw = body.slice(i, comma === -1 ? body.length : comma).trim();
      if (/[[\]{}]/.test(raw)) throw new YamlError('nested flow collections are not supported', no);
      if (raw === '') throw new YamlError('empty flow sequence item', no);
      item = plainScalar(raw);
      i = comma === -1 ? body.length : comma;
    }
    items.push(item);
    while (body[i] === ' ') i++;
    if (i < body.length) {
      if (body[i] !== ',') throw new YamlError('expected "," in a flow sequence', no);
      i++;
    }
  }
  return items;
}

/** YAML 1.2 core schema resolution of an unquoted scalar. */
function plainScalar(text: string): YamlValue {
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

/** Index of the closing quote of the quoted scalar starting at `start`. */
function quotedEnd(text: string, start: number, no: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  throw new YamlError('unterminated quoted scalar', no);
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
};

function parseQuoted(text: string, no: number): string {
  const body = text.slice(1, -1);
  if (text[0] === "'") return body.replaceAll("''", "'");
  return body.replace(/\\(.)/g, (_m, c: string) => {
    const e = ESCAPES[c];
    if (e === undefined) throw new YamlError(`unsupported escape \\${c}`, no);
    return e;
  });
}

/** `[` minus `]` outside quotes. */
function openBrackets(text: string, no: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === '"' || c === "'") && (i === 0 || /[\s[,:-]/.test(text[i - 1]!))) i = quotedEnd(text, i, no);
    else if (c === '[') depth++;
    else if (c === ']') depth--;
  }
  return depth;
}

/** The line without its comment: `#` at the start or after a space, outside quotes. */
function stripComment(raw: string, no: number): string {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"' || c === "'") {
      // Quotes only open a scalar at its start; an apostrophe inside plain text is just a character.
      if (i === 0 || /[\s[,:-]/.test(raw[i - 1]!)) i = quotedEnd(raw, i, no);
    } else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]!))) {
      return raw.slice(0, i);
    }
  }
  return raw;
}
