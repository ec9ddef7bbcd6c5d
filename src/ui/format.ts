/** Small display helpers shared by the tree and the status bar. */
export function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

export function formatExpiry(epochMs: number, now = Date.now()): string {
  const minutes = Math.round((epochMs - now) / 60_000);
  const when = new Date(epochMs).toLocaleString();
  if (minutes <= 0) return `${when} (expired)`;
  if (minutes < 120) return `${when} (in ${minutes} min)`;
  return `${when} (in ${Math.round(minutes / 60)} h)`;
}

/** Escapes Markdown, for names and descriptions that come from Azure and go into a MarkdownString. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}
