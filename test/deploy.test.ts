import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Job } from "kubernetes-models/batch/v1/Job";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { root } from "./helpers.ts";

/*
 * The Kubernetes manifests in .deploy/k8s/ as users apply them: valid against the Kubernetes schema (kubernetes-models'
 * validators of the batch/v1 Job), naming the image `npm run image:test` builds, and an Indexed Job whose pods each
 * build one share of the round the merge Job then joins.
 */

const manifest = (name: string) => parse(readFileSync(join(root, ".deploy/k8s", name), "utf8"));
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;
const image = `localhost/migration-bulletin:${version}`;

describe("the Kubernetes Jobs (.deploy/k8s/)", () => {
  it("both pass the schema check, and a wrong one does not", () => {
    for (const name of ["municipalities-job.yaml", "merge-job.yaml"])
      expect(() => new Job(manifest(name)).validate()).not.toThrow();
    const wrong = manifest("municipalities-job.yaml");
    wrong.spec.completions = "three";
    expect(() => new Job(wrong).validate()).toThrow(/completions must be integer/);
    const badPort = manifest("merge-job.yaml");
    badPort.spec.template.spec.containers[0].ports = [{ containerPort: "http" }];
    expect(() => new Job(badPort).validate()).toThrow(/containerPort must be integer/);
  });

  it("an Indexed Job: one share per pod from JOB_COMPLETION_INDEX, retried alone, on one volume, sized", () => {
    const job = manifest("municipalities-job.yaml");
    const { spec } = job;
    expect(spec.completionMode).toBe("Indexed");
    expect(spec.parallelism).toBe(spec.completions);
    expect(spec.backoffLimitPerIndex).toBeGreaterThanOrEqual(1);
    const pod = spec.template.spec;
    expect(pod.restartPolicy).toBe("Never");
    const c = pod.containers[0];
    expect(c.image).toBe(image);
    const args: string[] = c.args;
    expect(args.slice(0, 1)).toEqual(["build"]);
    expect(args[args.indexOf("--area") + 1]).toBe("municipalities");
    expect(Number(args[args.indexOf("--shards") + 1])).toBe(spec.completions);
    expect(args).toContain("--resume");
    expect(args[args.indexOf("--out") + 1]).toBe("/out");
    expect(c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/out").name).toBe("out");
    expect(pod.volumes.find((v: { name: string }) => v.name === "out").persistentVolumeClaim.claimName).toBeTruthy();
    expect(c.resources.requests.memory).toBeTruthy();
    expect(c.resources.limits.memory).toBeTruthy();
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it("the merge Job joins the shares of the same round, on the same volume, with the same image", () => {
    const job = manifest("municipalities-job.yaml");
    const merge = manifest("merge-job.yaml");
    const args: string[] = job.spec.template.spec.containers[0].args;
    const year = args[args.indexOf("--year") + 1];
    const m = merge.spec.template.spec.containers[0];
    expect(m.image).toBe(image);
    expect(m.args).toEqual(["manifest", "merge", `/out/${year}/municipalities`]);
    expect(merge.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
      job.spec.template.spec.volumes.find((v: { name: string }) => v.name === "out").persistentVolumeClaim.claimName,
    );
  });
});
