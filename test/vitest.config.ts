import { defineConfig } from "vitest/config";
import LongestFirst from "./sequencer.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the 2024 round built once by the CLI while the first files run (test/shared-round.ts)
    globalSetup: ["./test/global-setup.ts"],
    // the longest files first (test/sequencer.ts)
    sequence: { sequencer: LongestFirst },
    // two files at a time, whatever the machine's count of cores: vitest's default on two cores is one, and much of
    // a test file's time is spent waiting for Chromium, the SMTP server or a child process (README § Tests)
    maxWorkers: 2,
    // a worker process runs several files: their modules and the code V8 compiled are loaded once (README § Tests)
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "./test/summary-reporter.ts"],
    env: { TZ: "UTC", NO_COLOR: "1" },
  },
});
