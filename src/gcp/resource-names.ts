// Google resource names: `projects/P/locations/R/services/S` → `S`, `…/versions/3` → `3`.

/** The last path segment of a resource name (the name itself when it has no slash). */
export function shortName(name: string): string;
export function shortName(name: string | undefined): string | undefined;
export function shortName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : name.slice(name.lastIndexOf('/') + 1);
}
