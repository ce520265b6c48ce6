// Kubernetes-style quantities as Cloud Run accepts them for memory and volume sizes ("512Mi", "2Gi", "1G").

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export const QUANTITY_PATTERN = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** Bytes of a quantity, or undefined when it is not one. */
export function parseQuantity(value: string): number | undefined {
  const match = QUANTITY_PATTERN.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNITS[match[2] ?? '']);
}

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

/** A byte count written the way Cloud Run prints it: whole Gi when exact, else Mi. */
export function formatQuantity(bytes: number): string {
  if (bytes % GiB === 0) return `${bytes / GiB}Gi`;
  return `${Math.floor(bytes / MiB)}Mi`;
}
