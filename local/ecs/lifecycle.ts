/**
 * Moves emulated tasks through ECS's lifecycle on the emulator's clock
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html):
 * awsvpc tasks PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING →
 * STOPPED, other tasks PENDING → RUNNING → STOPPING → STOPPED. A task that fails to start goes from
 * PENDING to (DEPROVISIONING →) STOPPED without RUNNING. Every change bumps `version` and is reported.
 */
import type { Container, ContainerDefinition } from "@aws-sdk/client-ecs";
import type { Clock, TimerHandle } from "./emulator-clock.ts";
import {
  type ContainerOutput,
  commandOf,
  ExecEnvironmentRefused,
  environmentOf,
  type RunningContainer,
  refusedOverrides,
  signalContainer,
  startContainerProcess,
} from "./exec.ts";
import type { DueStep, TaskRecord } from "./records.ts";
import {
  ESSENTIAL_EXITED,
  EXIT_SIGTERM,
  execFailedReason,
  failedToStartReason,
  OOM_REASON,
  SPOT_INTERRUPTED,
  USER_STOPPED,
} from "./stop-reasons.ts";
import { type ParsedOutcome, parseOutcome } from "./task-behaviour.ts";
import { attachEni, imagesPulled, setAttachmentStatus } from "./task-network.ts";

export interface PhaseDurations {
  provisioning: number;
  pending: number;
  activating: number;
  deactivating: number;
  stopping: number;
  deprovisioning: number;
}

/** Short enough that a local run feels immediate, long enough to watch each status go by. */
export const DEFAULT_PHASE_MS: PhaseDurations = {
  provisioning: 300,
  pending: 500,
  activating: 200,
  deactivating: 200,
  stopping: 200,
  deprovisioning: 300,
};

export interface LifecycleEnv {
  clock: Clock;
  region: string;
  accountId: string;
  phaseMs: PhaseDurations;
  execCwd: string;
  onOutput: ((o: ContainerOutput) => void) | undefined;
  /** Called after every change of a task (version already bumped): emit the event, persist. */
  onChange(rec: TaskRecord): void;
  /** A step that runs on its own (timer, process exit) failed. */
  onError(error: unknown): void;
}

interface StopCause {
  stopCode: string;
  stoppedReason: string;
}

/** What one container ends with when the task stops; unset fields fall back to the stop's default. */
type ContainerEnd = { exitCode?: number; reason?: string; signal?: NodeJS.Signals };

const isEssential = (d: ContainerDefinition) => d.essential !== false;
const DEFAULT_STOP_TIMEOUT_S = 30;

export class TaskLifecycle {
  private readonly env: LifecycleEnv;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly procs = new Map<string, Map<string, RunningContainer>>();
  private disposed = false;

  constructor(env: LifecycleEnv) {
    this.env = env;
  }

  private now(): Date {
    return new Date(this.env.clock.now());
  }

  private commit(rec: TaskRecord): void {
    rec.task.version += 1;
    rec.updatedAt = this.now();
    this.env.onChange(rec);
  }

  private schedule(rec: TaskRecord, action: DueStep["action"], ms: number): void {
    this.timers.get(rec.task.taskArn)?.cancel();
    const at = this.env.clock.now() + ms;
    rec.due = { action, at };
    this.arm(rec);
  }

  private arm(rec: TaskRecord): void {
    const due = rec.due;
    // Disposed (the stack is stopping): the step stays recorded in `due`, for resume() at the next start.
    if (!due || this.disposed) return;
    const arn = rec.task.taskArn;
    this.timers.set(
      arn,
      this.env.clock.setTimeout(() => {
        if (rec.due !== due) return;
        this.timers.delete(arn);
        delete rec.due;
        try {
          this.run(rec, due.action);
        } catch (e) {
          this.env.onError(e);
        }
      }, due.at - this.env.clock.now()),
    );
  }

  private unschedule(rec: TaskRecord): void {
    this.timers.get(rec.task.taskArn)?.cancel();
    this.timers.delete(rec.task.taskArn);
    delete rec.due;
  }

  private run(rec: TaskRecord, action: DueStep["action"]): void {
    if (action === "advance") this.advance(rec);
    else if (action === "outcome") this.applyOutcome(rec);
    else this.killRemaining(rec);
  }

  private outcome(rec: TaskRecord): ParsedOutcome {
    return parseOutcome(rec.behaviour.outcome);
  }

  /** The task was just created in its first status: report it and start the clock. */
  start(rec: TaskRecord): void {
    rec.task.version = 0;
    // Without awsvpc there is nothing to provision: the task starts PENDING, pulling its images.
    if (!rec.awsvpc) rec.task.pullStartedAt = this.now();
    this.commit(rec);
    this.schedule(rec, "advance", rec.awsvpc ? this.env.phaseMs.provisioning : this.env.phaseMs.pending);
  }

  /** The next status of a task on its way up or down. */
  private advance(rec: TaskRecord): void {
    const t = rec.task;
    const ms = this.env.phaseMs;
    switch (t.lastStatus) {
      case "PROVISIONING":
        t.lastStatus = "PENDING";
        attachEni(rec, this.now(), this.env.region);
        t.pullStartedAt = this.now();
        this.commit(rec);
        this.schedule(rec, "advance", ms.pending);
        return;
      case "PENDING": {
        const outcome = this.outcome(rec);
        if (outcome.kind === "failToStart") {
          this.failStart(rec, outcome.reason);
          return;
        }
        if (!rec.awsvpc) {
          this.enterRunning(rec).catch((e) => this.env.onError(e));
          return;
        }
        t.lastStatus = "ACTIVATING";
        imagesPulled(rec, this.now());
        this.commit(rec);
        this.schedule(rec, "advance", ms.activating);
        return;
      }
      case "ACTIVATING":
        this.enterRunning(rec).catch((e) => this.env.onError(e));
        return;
      case "DEACTIVATING":
        t.lastStatus = "STOPPING";
        this.commit(rec);
        this.schedule(rec, "advance", ms.stopping);
        return;
      case "STOPPING":
        if (rec.awsvpc) {
          t.lastStatus = "DEPROVISIONING";
          setAttachmentStatus(rec, "DETACHING");
          this.commit(rec);
          this.schedule(rec, "advance", ms.deprovisioning);
        } else this.stopped(rec);
        return;
      case "DEPROVISIONING":
        this.stopped(rec);
        return;
      default:
        return;
    }
  }

  private processesOf(rec: TaskRecord): Map<string, RunningContainer> {
    let m = this.procs.get(rec.task.taskArn);
    if (!m) {
      m = new Map();
      this.procs.set(rec.task.taskArn, m);
    }
    return m;
  }

  private execContainers(rec: TaskRecord): ContainerDefinition[] {
    return rec.behaviour.exec ? rec.containers.filter((d) => commandOf(d)) : [];
  }

  private async enterRunning(rec: TaskRecord): Promise<void> {
    const t = rec.task;
    if (!rec.awsvpc) imagesPulled(rec, this.now());
    const toStart = this.execContainers(rec);
    // Checked for every container before any process starts: a refused one must not leave others running.
    for (const def of toStart) {
      const asked = t.overrides?.containerOverrides?.find((o) => o.name === def.name)?.environment;
      const refused = refusedOverrides(asked, rec.behaviour.execEnvironment);
      if (refused.length === 0) continue;
      this.failStart(rec, new ExecEnvironmentRefused(def.name ?? "", refused).message, def.name);
      return;
    }
    if (toStart.length > 0) {
      const started = await Promise.allSettled(toStart.map((d) => this.spawn(rec, d)));
      const failed = started.findIndex((s) => s.status === "rejected");
      if (failed !== -1 || t.desiredStatus === "STOPPED") {
        for (const p of this.processesOf(rec).values()) signalContainer(p.child, "SIGKILL");
        this.procs.delete(t.taskArn);
        if (t.desiredStatus === "STOPPED") return;
        const def = toStart[failed] as ContainerDefinition;
        const err = (started[failed] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
        this.failStart(rec, execFailedReason(commandOf(def)?.[0] ?? "", err), def.name);
        return;
      }
    }
    t.lastStatus = "RUNNING";
    t.startedAt = this.now();
    for (const c of t.containers) c.lastStatus = "RUNNING";
    this.commit(rec);
    for (const [name, p] of this.processesOf(rec)) {
      p.exited.then((code) => this.processExited(rec, name, code)).catch((e) => this.env.onError(e));
    }
    const outcome = this.outcome(rec);
    const simulatedEssential = rec.containers.some(
      (d) => isEssential(d) && !this.processesOf(rec).has(d.name ?? ""),
    );
    if (
      toStart.length === 0 ||
      simulatedEssential ||
      outcome.kind === "oom" ||
      outcome.kind === "spotInterruption"
    ) {
      this.schedule(rec, "outcome", rec.behaviour.durationSeconds * 1000);
    }
  }

  private async spawn(rec: TaskRecord, def: ContainerDefinition): Promise<void> {
    const name = def.name ?? "";
    const p = await startContainerProcess(commandOf(def) as string[], {
      env: environmentOf(def, { region: this.env.region, launchType: rec.task.launchType }),
      cwd: this.env.execCwd,
      onOutput:
        this.env.onOutput &&
        ((o) => this.env.onOutput?.({ ...o, taskArn: rec.task.taskArn, container: name })),
    });
    this.processesOf(rec).set(name, p);
  }

  private container(rec: TaskRecord, name: string): Container | undefined {
    return rec.task.containers.find((c) => c.name === name);
  }

  private processExited(rec: TaskRecord, name: string, code: number): void {
    if (this.disposed) return;
    const procs = this.processesOf(rec);
    procs.delete(name);
    const c = this.container(rec, name);
    if (c) {
      c.exitCode ??= code;
      c.lastStatus = "STOPPED";
    }
    const t = rec.task;
    if (t.desiredStatus === "STOPPED") {
      if (procs.size === 0) this.finishStop(rec);
      return;
    }
    const def = rec.containers.find((d) => d.name === name);
    if (def && isEssential(def)) {
      this.beginStop(
        rec,
        { stopCode: "EssentialContainerExited", stoppedReason: ESSENTIAL_EXITED },
        0,
        new Map(),
      );
    } else this.commit(rec);
  }

  private applyOutcome(rec: TaskRecord): void {
    const outcome = this.outcome(rec);
    const procs = this.processesOf(rec);
    const firstEssential = rec.containers.find(isEssential)?.name ?? "";
    const ends = new Map<string, ContainerEnd>();
    switch (outcome.kind) {
      case "spotInterruption":
        this.beginStop(
          rec,
          { stopCode: "SpotInterruption", stoppedReason: SPOT_INTERRUPTED },
          EXIT_SIGTERM,
          ends,
        );
        return;
      case "oom":
        ends.set(firstEssential, { exitCode: 137, reason: OOM_REASON, signal: "SIGKILL" });
        break;
      case "exit": {
        const simulated = rec.containers.find((d) => isEssential(d) && !procs.has(d.name ?? ""))?.name;
        if (simulated !== undefined) ends.set(simulated, { exitCode: outcome.code });
        break;
      }
      default:
        break;
    }
    this.beginStop(rec, { stopCode: "EssentialContainerExited", stoppedReason: ESSENTIAL_EXITED }, 0, ends);
  }

  /**
   * The task is told to stop: desired status STOPPED, stop code and reason set; simulated containers end
   * at once, processes get SIGTERM and, after the container's stopTimeout, SIGKILL.
   */
  private beginStop(
    rec: TaskRecord,
    cause: StopCause,
    defaultExit: number,
    ends: Map<string, ContainerEnd>,
  ): void {
    const t = rec.task;
    this.unschedule(rec);
    t.desiredStatus = "STOPPED";
    t.stopCode = cause.stopCode as NonNullable<typeof t.stopCode>;
    t.stoppedReason = cause.stoppedReason;
    t.stoppingAt = this.now();
    const procs = this.processesOf(rec);
    for (const c of t.containers) {
      if (c.lastStatus === "STOPPED") continue;
      const end = ends.get(c.name ?? "");
      const p = procs.get(c.name ?? "");
      if (p) {
        if (end?.reason) c.reason = end.reason;
        signalContainer(p.child, end?.signal ?? "SIGTERM");
        continue;
      }
      c.lastStatus = "STOPPED";
      c.exitCode = end?.exitCode ?? defaultExit;
      if (end?.reason) c.reason = end.reason;
    }
    if (procs.size === 0) {
      this.finishStop(rec);
      return;
    }
    this.commit(rec);
    const timeouts = rec.containers.filter((d) => procs.has(d.name ?? "")).map((d) => d.stopTimeout);
    const stopTimeout = Math.max(...timeouts.map((s) => s ?? DEFAULT_STOP_TIMEOUT_S));
    this.schedule(rec, "kill", stopTimeout * 1000);
  }

  private killRemaining(rec: TaskRecord): void {
    for (const p of this.processesOf(rec).values()) signalContainer(p.child, "SIGKILL");
  }

  /** Every container has stopped: the task walks down to STOPPED. */
  private finishStop(rec: TaskRecord): void {
    const t = rec.task;
    this.unschedule(rec);
    this.procs.delete(t.taskArn);
    t.executionStoppedAt = this.now();
    for (const c of t.containers) c.lastStatus = "STOPPED";
    t.lastStatus = rec.awsvpc ? "DEACTIVATING" : "STOPPING";
    this.commit(rec);
    this.schedule(rec, "advance", rec.awsvpc ? this.env.phaseMs.deactivating : this.env.phaseMs.stopping);
  }

  /** PENDING → STOPPED without RUNNING, stop code TaskFailedToStart. */
  private failStart(rec: TaskRecord, reason: string, containerName?: string): void {
    const t = rec.task;
    const target =
      rec.containers.find((d) => d.name === containerName) ??
      rec.containers.find(isEssential) ??
      rec.containers[0];
    const stoppedReason = failedToStartReason(reason, {
      image: target?.image ?? "",
      region: this.env.region,
      accountId: this.env.accountId,
    });
    t.desiredStatus = "STOPPED";
    t.stopCode = "TaskFailedToStart";
    t.stoppedReason = stoppedReason;
    t.stoppingAt = this.now();
    t.executionStoppedAt = this.now();
    for (const c of t.containers) {
      c.lastStatus = "STOPPED";
      if (c.name === target?.name) c.reason = stoppedReason;
    }
    this.leaveBeforeRunning(rec);
  }

  private leaveBeforeRunning(rec: TaskRecord): void {
    if (rec.awsvpc) {
      rec.task.lastStatus = "DEPROVISIONING";
      setAttachmentStatus(rec, "DETACHING");
      this.commit(rec);
      this.schedule(rec, "advance", this.env.phaseMs.deprovisioning);
    } else this.stopped(rec);
  }

  private stopped(rec: TaskRecord): void {
    const t = rec.task;
    this.unschedule(rec);
    t.lastStatus = "STOPPED";
    t.stoppedAt = this.now();
    t.executionStoppedAt ??= t.stoppedAt;
    setAttachmentStatus(rec, "DELETED");
    this.commit(rec);
  }

  /** StopTask. A task already on its way down is left alone, as ECS does. */
  stop(rec: TaskRecord, reason: string | undefined): void {
    const t = rec.task;
    if (t.desiredStatus === "STOPPED" || t.lastStatus === "STOPPED") return;
    const cause = { stopCode: "UserInitiated", stoppedReason: reason ?? USER_STOPPED };
    if (t.lastStatus === "RUNNING") {
      this.beginStop(rec, cause, EXIT_SIGTERM, new Map());
      return;
    }
    this.unschedule(rec);
    t.desiredStatus = "STOPPED";
    t.stopCode = "UserInitiated";
    t.stoppedReason = cause.stoppedReason;
    t.stoppingAt = this.now();
    t.executionStoppedAt = this.now();
    for (const c of t.containers) c.lastStatus = "STOPPED";
    this.leaveBeforeRunning(rec);
  }

  /**
   * A task read back from the state file of an earlier emulator: re-arm its pending step. Local processes
   * did not survive the restart; their tasks are stopped as lost.
   */
  resume(rec: TaskRecord): void {
    const t = rec.task;
    if (t.lastStatus === "STOPPED") return;
    const hadProcesses =
      this.execContainers(rec).length > 0 &&
      (t.lastStatus === "RUNNING" || (t.desiredStatus === "STOPPED" && rec.due?.action === "kill"));
    if (hadProcesses) {
      const lost = "ContainerRuntimeError: the local process was lost when the ECS emulator restarted";
      for (const c of t.containers) {
        if (c.lastStatus !== "STOPPED" && c.exitCode === undefined) c.reason = lost;
        c.lastStatus = "STOPPED";
      }
      if (t.desiredStatus !== "STOPPED") {
        t.desiredStatus = "STOPPED";
        t.stopCode = "TerminationNotice";
        t.stoppedReason =
          "Task stopped: the ECS emulator restarted while the task's local processes were running";
        t.stoppingAt = this.now();
      }
      this.finishStop(rec);
      return;
    }
    if (rec.due) this.arm(rec);
    else if (t.lastStatus === "RUNNING") this.schedule(rec, "outcome", 0);
    else if (t.desiredStatus !== "STOPPED") this.schedule(rec, "advance", 0);
  }

  /** Stops timers and kills local processes (emulator shutdown); tasks keep their last state. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const m of this.procs.values()) for (const p of m.values()) signalContainer(p.child, "SIGKILL");
    this.procs.clear();
  }
}
