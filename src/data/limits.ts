/**
 * The domain of the numbers in the data contract (data/README.md § Limits). A count or a population is a whole
 * number below 10^9 per cell: no country of the EU has that many inhabitants, and far below 2^53 every sum of them
 * stays an exact integer in JavaScript.
 */
export const COUNT_LIMIT = {
  max: 999_999_999,
  limit: "999,999,999 (fewer than 10 digits)",
  why: "a count or population per cell is below 10^9 (more than any EU country's population); check the value and its unit",
};
