import type { Row, Table } from "../data/csv.ts";
import type { Datasets } from "../data/read-datasets.ts";
import type { RuleId } from "../errors/messages.ts";
import type { Problem } from "../errors/problem.ts";

/** What the checks of the tables are given (validate-datasets.ts). */
export interface ValidateParams {
  year: number;
  region: string;
  /** Years of the municipal period (populations needed on 1 January of each and of the year after). */
  periodYears: number[];
  /** the year whose municipalities the edition uses (default: `year`; see data/harmonise.ts) */
  geography?: number;
}

/** What every check reads and where it writes. */
export interface Check {
  ds: Datasets;
  p: ValidateParams;
  out: Problem[];
  /** a problem of a table's line (or of the table), worded by the catalogue */
  err(t: Table, row: Row | undefined, rule: RuleId, params: Record<string, unknown>, column?: number): void;
  areaCodes: Set<string>;
  muniByNis: Map<string, Row>;
  /** the components of each direction, as the code list gives them */
  componentsBy: Map<string, Set<string>>;
}
