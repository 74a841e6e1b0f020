/** torch.set_printoptions: what every print of a tensor reads. */

export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision: number;
  /** More elements than this are summarised with `...` (default 1000). */
  threshold: number;
  /** Items shown at each end of a summarised dimension (default 3). */
  edgeitems: number;
  /** Characters per line before wrapping (default 80). */
  linewidth: number;
  /** Force scientific notation on (true) or off (false); null lets each tensor decide, as PyTorch does. */
  sciMode: boolean | null;
  /** A preset, applied before the other fields: "default", "short" or "full". */
  profile?: "default" | "short" | "full";
}

const DEFAULTS: Omit<PrintOptions, "profile"> = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null };

export const printOptions: Omit<PrintOptions, "profile"> = { ...DEFAULTS };

export function setPrintOptions(o: Partial<PrintOptions>): void {
  if (o.profile === "default") Object.assign(printOptions, DEFAULTS);
  else if (o.profile === "short") Object.assign(printOptions, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
  else if (o.profile === "full") Object.assign(printOptions, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
  for (const key of ["precision", "threshold", "edgeitems", "linewidth"] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || Number.isNaN(v) || v < 0) throw new TypeError(`setPrintOptions(): ${key} must be a non-negative number, but got ${String(v)}`);
    printOptions[key] = v;
  }
  // As in PyTorch, every call sets sciMode (to null when not given).
  printOptions.sciMode = o.sciMode ?? null;
}
