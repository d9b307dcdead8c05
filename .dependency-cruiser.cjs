// Imports point one way: cli → commands → chain → stages → core, and a stage imports only from the stages before it
// in the pipeline (their types and values flow downstream). commands/ holds one file or folder per command, chain/
// what every command shares (prepare a year, render its editions). `npx depcruise src` checks it; a test runs it and also checks
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
const CHAIN = "^src/chain/";
const COMMANDS = "^src/commands/";
const later = (i) => STAGES.slice(i + 1);

module.exports = {
  forbidden: [
    { name: "no-cycle", severity: "error", comment: "no import cycle", from: {}, to: { circular: true } },
    {
      name: "core-stays-core",
      severity: "error",
      comment: "core (domain, errors, i18n, effects) imports nothing of the stages, the chain, the commands or the CLI",
      from: { path: CORE },
      to: { path: `^src/(${STAGES.join("|")})/|${CHAIN}|${COMMANDS}|${EDGE}` },
    },
    {
      name: "stages-do-not-chain",
      severity: "error",
      comment: "a stage never imports the chain, a command or the CLI: the chain chains the stages",
      from: { path: `^src/(${STAGES.join("|")})/` },
      to: { path: `${CHAIN}|${COMMANDS}|${EDGE}` },
    },
    {
      name: "chain-below-commands",
      severity: "error",
      comment: "the chain every command shares knows no command",
      from: { path: CHAIN },
      to: { path: `${COMMANDS}|${EDGE}` },
    },
    {
      name: "commands-below-cli",
      severity: "error",
      comment: "a command is called by the CLI (and the tools), never the other way",
      from: { path: COMMANDS },
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
