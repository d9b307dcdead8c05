// The render thread run from the TypeScript sources (tsx, vitest): tsx's loader is registered in this thread
// first. The compiled dist/ starts dist/batch-worker.js directly.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
