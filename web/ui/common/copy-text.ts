/**
 * Copies text to the clipboard. The async Clipboard API needs focus and a
 * secure context; a hidden textarea with execCommand is the fallback for
 * the rest (plain http on a LAN address).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'sr-only';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
