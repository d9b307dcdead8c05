import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the 2024 round built once by the CLI while the first files run (test/shared-round.ts)
    globalSetup: ["./test/global-setup.ts"],
    // two files at a time, whatever the machine's count of cores: vitest's default on two cores is one, and much of
    // a test file's time is spent waiting for Chromium, the SMTP server or a child process (README § Tests)
    maxWorkers: 2,
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "./test/summary-reporter.ts"],
    env: { TZ: "UTC", NO_COLOR: "1" },
  },
});
