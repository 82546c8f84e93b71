// Ages for people, as `status` prints them: `12m`, `3h12m`, `2d4h`.

/** Formats seconds as `12m` / `3h12m` / `2d4h`. */
export function formatAge(seconds: number): string {
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60}m` : `${Math.floor(h / 24)}d${h % 24}h`;
}
