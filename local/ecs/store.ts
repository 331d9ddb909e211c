/**
 * The emulator's resources, in memory, optionally mirrored to a JSON file after every change so that a
 * restarted local stack finds its clusters, task definitions and in-flight tasks again.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  IdempotencyRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from "./records.ts";
import { decodeState, encodeState } from "./wire.ts";

export interface EmulatorSnapshot {
  format: 1;
  clusters: ClusterRecord[];
  taskDefinitions: TaskDefinitionRecord[];
  tasks: TaskRecord[];
  containerInstances: ContainerInstanceRecord[];
  clientTokens: [string, IdempotencyRecord][];
}

export class Store {
  /** By cluster name. */
  readonly clusters = new Map<string, ClusterRecord>();
  /** By family; index = revision - 1. */
  readonly taskDefinitions = new Map<string, TaskDefinitionRecord[]>();
  /** By task ARN, in launch order. */
  readonly tasks = new Map<string, TaskRecord>();
  /** By container instance ARN, in registration order. */
  readonly containerInstances = new Map<string, ContainerInstanceRecord>();
  /** By `clusterArn clientToken`. */
  readonly clientTokens = new Map<string, IdempotencyRecord>();

  snapshot(): EmulatorSnapshot {
    return structuredClone({
      format: 1,
      clusters: [...this.clusters.values()],
      taskDefinitions: [...this.taskDefinitions.values()].flat(),
      tasks: [...this.tasks.values()],
      containerInstances: [...this.containerInstances.values()],
      clientTokens: [...this.clientTokens.entries()],
    });
  }

  /** Replaces everything with a snapshot's content. */
  restore(snapshot: EmulatorSnapshot): void {
    if (snapshot.format !== 1)
      throw new Error(`unsupported emulator state format ${String(snapshot.format)}`);
    const s = structuredClone(snapshot);
    this.clusters.clear();
    this.taskDefinitions.clear();
    this.tasks.clear();
    this.containerInstances.clear();
    this.clientTokens.clear();
    for (const c of s.clusters) this.clusters.set(c.cluster.clusterName, c);
    for (const d of s.taskDefinitions) {
      const list = this.taskDefinitions.get(d.taskDefinition.family) ?? [];
      list[d.taskDefinition.revision - 1] = d;
      this.taskDefinitions.set(d.taskDefinition.family, list);
    }
    for (const t of s.tasks) this.tasks.set(t.task.taskArn, t);
    for (const i of s.containerInstances) this.containerInstances.set(i.instance.containerInstanceArn, i);
    for (const [k, v] of s.clientTokens) this.clientTokens.set(k, v);
  }
}

/** The emulator's state file cannot be read back; the message names the file and what to do. */
export class EmulatorStateError extends Error {
  override readonly name = "EmulatorStateError";
}

/** How many times its own duration a state write waits after the previous one. */
const WRITE_SPACING = 10;

/**
 * Writes the store to `path` once per burst of changes (atomically: temp file, then rename), and no sooner
 * after the last write than WRITE_SPACING times that write took: a whole-state write of 10,000 tasks takes
 * tens of milliseconds, and one per burst kept the CPU busy writing while a fan-out ran. Small states still
 * go to disk at once.
 */
export class StateFile {
  readonly path: string;
  private readonly onError: (e: unknown) => void;
  private pending = false;
  private lastWriteEnd = 0;
  private lastWriteMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(path: string, onError: (e: unknown) => void) {
    this.path = path;
    this.onError = onError;
  }
  /** The saved state; undefined on a first start. A damaged file stops the start, naming it. */
  read(): EmulatorSnapshot | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      const snapshot = decodeState<EmulatorSnapshot>(JSON.parse(readFileSync(this.path, "utf8")));
      if (snapshot?.format !== 1) throw new Error(`unsupported format ${String(snapshot?.format)}`);
      for (const key of [
        "clusters",
        "taskDefinitions",
        "tasks",
        "containerInstances",
        "clientTokens",
      ] as const)
        if (!Array.isArray(snapshot[key])) throw new Error(`${key} is not a list`);
      return snapshot;
    } catch (error) {
      throw new EmulatorStateError(
        `${this.path} is damaged (${(error as Error).message}): it holds the ECS emulator's clusters and tasks. Move it aside to start with an empty emulator; runs still active then end FAILED.`,
        { cause: error },
      );
    }
  }

  schedule(store: Store): void {
    if (this.pending) return;
    this.pending = true;
    const run = () => {
      this.timer = undefined;
      if (!this.pending) return;
      try {
        this.write(store);
      } catch (e) {
        this.onError(e);
      }
    };
    const wait = this.lastWriteEnd + WRITE_SPACING * this.lastWriteMs - Date.now();
    if (wait <= 0) setImmediate(run);
    else {
      this.timer = setTimeout(run, wait);
      this.timer.unref();
    }
  }

  write(store: Store): void {
    this.pending = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const started = Date.now();
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = this.tmpPath();
    // Owner-only: tasks keep their overrides, environment values included.
    writeFileSync(tmp, `${JSON.stringify(encodeState(store.snapshot()))}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
    this.lastWriteEnd = Date.now();
    this.lastWriteMs = this.lastWriteEnd - started;
  }

  /**
   * Throws what a write would throw now (a read-only or full data dir, a path blocked), without writing the
   * whole state: the same temp file is created and removed. Before each RunTask; a full write there made
   * every call of a fan-out cost as much as the state is large.
   */
  probe(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = this.tmpPath();
    writeFileSync(tmp, "", { mode: 0o600 });
    unlinkSync(tmp);
  }

  private tmpPath(): string {
    return `${this.path}.${process.pid}.tmp`;
  }
}
