/**
 * What kind of file an offer is, from its MIME type (the icon and the
 * preview follow from it). The MIME type is the sender's claim: a preview
 * only ever renders bytes that verified against the signed hash, in an
 * `img`/`audio`/`video` element, never as a document.
 */

export type FileKind = 'image' | 'audio' | 'video' | 'text' | 'archive' | 'pdf' | 'other';

/**
 * Images the browser decodes in an `<img>` without running anything. SVG is
 * left out on purpose: an SVG is a document that can carry script and links.
 */
const PREVIEWABLE_IMAGES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
]);

const ARCHIVES = new Set([
  'application/zip',
  'application/x-7z-compressed',
  'application/x-tar',
  'application/gzip',
  'application/x-gzip',
  'application/x-rar-compressed',
  'application/vnd.rar',
  'application/x-bzip2',
  'application/x-xz',
]);

export function fileKind(mime: string): FileKind {
  const type = mime.toLowerCase().split(';')[0]?.trim() ?? '';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  if (type === 'application/pdf') return 'pdf';
  if (ARCHIVES.has(type)) return 'archive';
  if (type.startsWith('text/') || type === 'application/json') return 'text';
  return 'other';
}

/** Whether a verified file of this type gets an inline preview (image, audio or video). */
export function previewKind(mime: string): 'image' | 'audio' | 'video' | null {
  const type = mime.toLowerCase().split(';')[0]?.trim() ?? '';
  if (PREVIEWABLE_IMAGES.has(type)) return 'image';
  const kind = fileKind(type);
  return kind === 'audio' || kind === 'video' ? kind : null;
}
