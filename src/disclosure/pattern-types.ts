/** How a hidden cell is shown and why: a count of 1 to minCount − 1 ("primary", "<5"), hidden to protect one
 * ("secondary", "x": a reader knows it is at least 1), or a category of a breakdown that would tell a shared attribute
 * of a few persons ("withheld", "x": it may be 0; the breakdown is published as its total only). */
export type HiddenKind = "primary" | "secondary" | "withheld";

/** A hidden cell: why, the marker it is shown with, and for a secondary one the cell it protects. */
export interface HiddenCell {
  kind: HiddenKind;
  shown?: HiddenKind;
  protects?: string;
}

export interface Pattern {
  minCount: number;
  /** hidden cells of the round: why (a count of 1–4, or to protect one), the marker it is shown with, and for a
   * secondary one the cell it protects */
  hidden: Map<string, HiddenCell>;
  stats: {
    primary: number;
    secondary: number;
    /** categories of breakdowns published as their total only (a shared attribute of a few persons) */
    withheld: number;
    /** hidden by an earlier round and published again */
    carried: number;
    witnesses: number;
    lpSolves: number;
    lpParts: number;
    largestPart: number;
    /** cells no witness could be found for (the round cannot be published as it is) */
    unprotected: string[];
  };
}

/** The values every cell of the round really has (from the computed, unpublished indicators). */
export type Truth = Map<string, number>;
/** The true value of any cell, published or not (undefined: not a count of the flows). */
export type Evaluate = (key: string) => number | undefined;
