import { createRequire } from "node:module";

/*
 * HiGHS (the solver behind SciPy, compiled to WebAssembly: the `highs` package), handed each LP as arrays. The pattern
 * (witness.ts) and the audit (lp.ts) solve ~3,300 small LPs for the rounds 2023–2025. Written out in CPLEX LP format,
 * each was built as text, copied into HiGHS's file system and parsed back: ~70 % of the time HiGHS was busy with it
 * went to that, not to the simplex.
 *
 * The columns and rows are given in the order HiGHS's reader of that format numbers them (a column where its name first
 * appears: the objective, then the rows, then the bounds), and every number as the text had it, so HiGHS solves the
 * same LP and returns the same solution as it did from the text (test/lp-arrays.test.ts; all 3,325 LPs of the shipped
 * rounds compared when this was written). A model of its own for each LP, as the text had: HiGHS's one-shot call runs
 * with other options and ended at another optimal corner in 36 of them.
 */

export interface LinearProgram {
  sense: "min" | "max";
  /** per column, in order: its cost in the objective and its bounds (±Infinity: none) */
  cost: number[];
  lower: number[];
  upper: number[];
  /** per row: its columns with their coefficients (a column once), and its bounds */
  rows: { cols: number[]; coefs: number[]; lower: number; upper: number }[];
}

export interface LpSolution {
  status: "optimal" | "unbounded" | "infeasible" | "other";
  /** the value of each column (meaningful when optimal) */
  x: Float64Array;
}

interface Highs {
  infinity: number;
  constants: { modelStatus: Record<string, number> };
  createModel(model: unknown): {
    run(): unknown;
    getModelStatus(): number;
    getSolution(): { colValue: Float64Array };
    dispose(): void;
  };
}

let solver: Promise<Highs> | undefined;
/** HiGHS, loaded once (its WebAssembly module takes ~50 ms). */
function loadHighs(): Promise<Highs> {
  if (!solver) {
    const require = createRequire(import.meta.url);
    solver = (require("highs") as () => Promise<Highs>)();
  }
  return solver;
}

/** The solver, once loaded: an LP in, its status and solution out. */
export async function lpSolver(): Promise<(lp: LinearProgram) => LpSolution> {
  const h = await loadHighs();
  const st = h.constants.modelStatus;
  const inf = (x: number) =>
    x === Number.POSITIVE_INFINITY ? h.infinity : x === Number.NEGATIVE_INFINITY ? -h.infinity : x;
  return (lp) => {
    const numCols = lp.cost.length;
    const numRows = lp.rows.length;
    // column-wise, each column's rows in order
    const starts = new Int32Array(numCols + 1);
    for (const r of lp.rows) for (const c of r.cols) starts[c + 1]!++;
    for (let c = 0; c < numCols; c++) starts[c + 1]! += starts[c]!;
    const next = starts.slice(0, numCols);
    const indices = new Int32Array(starts[numCols]!);
    const values = new Float64Array(starts[numCols]!);
    lp.rows.forEach((r, i) => {
      for (let k = 0; k < r.cols.length; k++) {
        const at = next[r.cols[k]!]!++;
        indices[at] = i;
        values[at] = r.coefs[k]!;
      }
    });
    const model = h.createModel({
      numCols,
      numRows,
      sense: lp.sense === "min" ? 1 : -1,
      colCost: lp.cost,
      colLower: lp.lower.map(inf),
      colUpper: lp.upper.map(inf),
      rowLower: lp.rows.map((r) => inf(r.lower)),
      rowUpper: lp.rows.map((r) => inf(r.upper)),
      matrix: { format: "csc", numRows, numCols, starts, indices, values },
    });
    let m: number;
    let x: Float64Array;
    try {
      model.run();
      m = model.getModelStatus();
      x = model.getSolution().colValue;
    } finally {
      model.dispose();
    }
    const status =
      m === st.optimal ? "optimal" : m === st.unbounded ? "unbounded" : m === st.infeasible ? "infeasible" : "other";
    return { status, x };
  };
}
