// Imports point one way: cli → pipeline → stages → core, and a stage imports only from the stages before it in the
// pipeline (their types and values flow downstream). `npx depcruise src` checks it; a test runs it and also checks
// that a planted cycle and a planted upward import fail. See README § Layout.
const STAGES = [
  "config",
  "data",
  "geo",
  "validate",
  "indicators",
  "disclosure",
  "narrative",
  "charts",
  "html",
  "pdf",
  "publish",
  "email",
  "serve",
];
const CORE = "^src/(core|errors|i18n)/|^src/effects[.]ts$";
const EDGE = "^src/(cli[.]ts|bin[.]js|effects-node[.]ts|tools/)";
const later = (i) => STAGES.slice(i + 1);

module.exports = {
  forbidden: [
    { name: "no-cycle", severity: "error", comment: "no import cycle", from: {}, to: { circular: true } },
    {
      name: "core-stays-core",
      severity: "error",
      comment: "core (domain, errors, i18n, effects) imports nothing of the stages, the pipeline or the command line",
      from: { path: CORE },
      to: { path: `^src/(${STAGES.join("|")})/|^src/pipeline[a-z-]*[.]ts$|${EDGE}` },
    },
    {
      name: "stages-do-not-chain",
      severity: "error",
      comment: "a stage never imports the pipeline or the command line: pipeline.ts chains the stages",
      from: { path: `^src/(${STAGES.join("|")})/` },
      to: { path: `^src/pipeline[a-z-]*[.]ts$|${EDGE}` },
    },
    {
      name: "pipeline-below-cli",
      severity: "error",
      from: { path: "^src/pipeline[a-z-]*[.]ts$" },
      to: { path: EDGE },
    },
    ...STAGES.slice(0, -1).map((stage, i) => ({
      name: `no-upward-import-from-${stage}`,
      severity: "error",
      comment: `${stage}/ comes before ${later(i).join(", ")} in the pipeline: it may not import them`,
      from: { path: `^src/${stage}/` },
      to: { path: `^src/(${later(i).join("|")})/` },
    })),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6"],
  },
};
