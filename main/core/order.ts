// Ordinal ordering of identifiers (service names, instance ids, ISO timestamps). Not localeCompare: its first
// call builds an ICU collator (~8–30 ms of a CLI command here), and identifiers want a locale-independent,
// stable order anyway.
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
