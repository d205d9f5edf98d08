/**
 * A file's type icon: a page with a folded corner, tinted by kind, with the
 * file's extension on it (language-neutral). Decorative: the kind is also
 * written out next to it.
 */
import type { FileKind } from './file-kind.ts';

const MAX_EXTENSION_CHARS = 4;

export function extensionLabel(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  return name
    .slice(dot + 1)
    .slice(0, MAX_EXTENSION_CHARS)
    .toUpperCase();
}

export function FileIcon(props: { name: string; kind: FileKind }) {
  const label = extensionLabel(props.name);
  return (
    <svg
      class={`files-icon files-icon--${props.kind}`}
      viewBox="0 0 32 40"
      width="32"
      height="40"
      aria-hidden="true"
      focusable="false"
    >
      <path
        class="files-icon-page"
        d="M3 1h18l8 8v28a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V3a2 2 0 0 1 2-2z"
      />
      <path class="files-icon-fold" d="M21 1v6a2 2 0 0 0 2 2h6" />
      {label ? (
        <text class="files-icon-label" x="15" y="29" text-anchor="middle">
          {label}
        </text>
      ) : null}
    </svg>
  );
}
