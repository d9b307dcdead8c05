// The render thread run from the TypeScript sources (tsx, vitest): tsx's loader is registered in this thread
// first. The compiled dist/ starts dist/pipeline-batch-worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./pipeline-batch-worker.ts");
