/** What the panels share of the page: element lookup, number formatting, the URL hash. */

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

export function hashParams(): URLSearchParams {
  return new URLSearchParams(location.hash.slice(1));
}
