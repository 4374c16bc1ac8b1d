/**
 * Which container formats ffprobe and ffmpeg may open for an upload.
 *
 * Both tools get `-format_whitelist` and `-protocol_whitelist file`, so an uploaded file can never
 * make them open another file or a URL: no HLS/DASH playlists, no `concat` lists, no `tty` text
 * "videos", no raw elementary streams with unknown duration. Audio containers and still-image
 * formats are allowed for probing only, so that the user hears *why* such a file is refused.
 */

/** Containers a user is likely to upload as a video (ffmpeg demuxer names). */
export const VIDEO_DEMUXERS = [
  'mov', // also mp4, m4a, 3gp, 3g2, mj2
  'matroska', // also webm
  'avi',
  'mpegts',
  'mpeg',
  'flv',
  'asf',
  'ogg',
  'gif',
  'mxf',
  'dv',
  'ivf',
  'nut',
] as const;

/** Audio-only containers: probed so that the answer can say "audio only". */
export const AUDIO_DEMUXERS = ['wav', 'mp3', 'aac', 'flac', 'w64', 'aiff', 'caf'] as const;

/** Still-image demuxers: probed so that the answer can say "a still image". */
export const IMAGE_DEMUXERS = [
  'image2',
  'png_pipe',
  'jpeg_pipe',
  'webp_pipe',
  'bmp_pipe',
  'tiff_pipe',
  'gif_pipe',
  'jpegxl_pipe',
  'j2k_pipe',
  'psd_pipe',
  'qoi_pipe',
  'svg_pipe',
  'dds_pipe',
  'exr_pipe',
  'pam_pipe',
  'pbm_pipe',
  'pgm_pipe',
  'ppm_pipe',
  'pcx_pipe',
  'sgi_pipe',
  'xpm_pipe',
  'phm_pipe',
  'pfm_pipe',
] as const;

export const PROBE_FORMAT_WHITELIST = [...VIDEO_DEMUXERS, ...AUDIO_DEMUXERS, ...IMAGE_DEMUXERS].join(',');
export const EXTRACT_FORMAT_WHITELIST = VIDEO_DEMUXERS.join(',');

/** Input options shared by ffprobe and ffmpeg (placed before `-i`). */
export const inputGuards = (formatWhitelist: string): string[] => [
  '-format_whitelist',
  formatWhitelist,
  '-protocol_whitelist',
  'file',
];

/** `file:` keeps a path from being read as a protocol or an option. */
export const fileUrl = (absolutePath: string): string => `file:${absolutePath}`;

/** A container that holds one still picture (ffprobe's `format_name`, a comma list). */
export function isImageContainer(formatName: string): boolean {
  return formatName.split(',').some((n) => n === 'image2' || n === 'image2pipe' || n.endsWith('_pipe'));
}

/** A readable name for an image container: `png_pipe` → `PNG`. */
export function imageKind(formatName: string, codec: string | null): string {
  const pipe = formatName.split(',').find((n) => n.endsWith('_pipe'));
  const raw = pipe !== undefined ? pipe.slice(0, -'_pipe'.length) : (codec ?? 'image');
  const names: Record<string, string> = { jpeg: 'JPEG', mjpeg: 'JPEG', png: 'PNG', webp: 'WebP', bmp: 'BMP' };
  return names[raw] ?? raw.toUpperCase();
}
