import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ECS_OPERATIONS, ecsModel, FULL_ECS_MODEL_FILE } from "../../../local/model/ecs-model.ts";
import { type BotocoreModel, referencedShapes } from "../../../local/model/model-types.ts";
import { applyConstraints } from "../../../local/model/overlay.ts";
import { trimModel } from "../../../local/model/trim.ts";
import { trimEcsModel } from "../../../local/model/trim-model.ts";

describe("the trimmed ECS model", () => {
  it("is what trimming ../shared/aws-models/ecs.json gives today (run trim-model.ts when this fails)", () => {
    // The product runs without ../shared; in a checkout that has it, the copy must not drift.
    const full = existsSync(FULL_ECS_MODEL_FILE);
    if (full) expect(ecsModel()).toEqual(trimEcsModel());
    expect(Object.keys(ecsModel().operations).sort()).toEqual([...ECS_OPERATIONS].sort());
  });

  it("holds every shape its operations reach, and no documentation", () => {
    const m = ecsModel();
    for (const shape of Object.values(m.shapes)) {
      for (const ref of referencedShapes(shape)) expect(m.shapes[ref], ref).toBeDefined();
    }
    for (const op of Object.values(m.operations)) {
      for (const ref of [op.input, op.output, ...(op.errors ?? [])])
        if (ref) expect(m.shapes[ref.shape]).toBeDefined();
    }
    expect(JSON.stringify(m)).not.toContain('"documentation"');
    expect(m.shapes.RunTaskRequest?.required).toEqual(["taskDefinition"]);
  });
});

describe("trimModel", () => {
  const model: BotocoreModel = {
    metadata: { protocol: "json" },
    documentation: "service docs",
    operations: {
      A: { name: "A", input: { shape: "AIn" }, errors: [{ shape: "Oops" }], documentation: "a" },
      B: { name: "B", input: { shape: "BIn" } },
    },
    shapes: {
      AIn: { type: "structure", members: { l: { shape: "L", documentation: "x" } }, documentation: "in" },
      L: { type: "list", member: { shape: "M" } },
      M: { type: "map", key: { shape: "S" }, value: { shape: "S" } },
      S: { type: "string" },
      Oops: { type: "structure", members: {}, exception: true },
      BIn: { type: "structure", members: { s: { shape: "Unused" } } },
      Unused: { type: "string" },
    },
  };

  it("keeps the named operations and exactly the shapes they reach, without docs", () => {
    expect(trimModel(model, ["A"])).toEqual({
      metadata: { protocol: "json" },
      operations: { A: { name: "A", input: { shape: "AIn" }, errors: [{ shape: "Oops" }] } },
      shapes: {
        AIn: { type: "structure", members: { l: { shape: "L" } } },
        L: { type: "list", member: { shape: "M" } },
        M: { type: "map", key: { shape: "S" }, value: { shape: "S" } },
        S: { type: "string" },
        Oops: { type: "structure", members: {}, exception: true },
      },
    });
    expect(() => trimModel(model, ["C"])).toThrow("no operation C");
  });

  it("applyConstraints narrows one member without touching other users of its shape", () => {
    const limited = applyConstraints(model, { "AIn.l": { max: 1 } });
    expect(limited.shapes.AIn?.members?.l?.shape).toBe("AIn$l");
    expect(limited.shapes.AIn$l).toEqual({ type: "list", member: { shape: "M" }, max: 1 });
    expect(limited.shapes.L).toEqual(model.shapes.L);
    expect(() => applyConstraints(model, { "AIn.nope": { max: 1 } })).toThrow("no such member");
  });
});

it("the checked-in file parses as the loader returns it", () => {
  const raw = JSON.parse(
    readFileSync(new URL("../../../local/model/ecs-model.json", import.meta.url), "utf8"),
  );
  expect(raw).toEqual(ecsModel());
});
