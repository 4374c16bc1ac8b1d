/**
 * UTF-8 encoding for the framing.
 *
 * `TextEncoder`/`TextDecoder` exist in every runtime `shared` runs in (browsers, Web Workers,
 * Node ≥ 11), but their types come from the DOM lib or `@types/node`, which `shared` must not load
 * (it is pure ES2022). So this one file declares the minimal surface it uses and reads the
 * constructors off `globalThis`, without adding any global declaration.
 */
interface Utf8Encoder {
  encode(input: string): Uint8Array;
}
interface Utf8Decoder {
  decode(input: Uint8Array): string;
}
interface TextCodecGlobals {
  readonly TextEncoder: new () => Utf8Encoder;
  readonly TextDecoder: new (label: 'utf-8', options: { fatal: boolean; ignoreBOM: boolean }) => Utf8Decoder;
}

const codecs = globalThis as unknown as TextCodecGlobals;
const encoder = new codecs.TextEncoder();
// fatal: invalid UTF-8 throws instead of becoming U+FFFD; ignoreBOM: a leading BOM is kept (and
// then fails JSON parsing), exactly as Python's strict 'utf-8' codec + json.loads behave.
const decoder = new codecs.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const utf8Encode = (text: string): Uint8Array => encoder.encode(text);

/** Strict UTF-8 decoding: `undefined` for malformed input. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
