/**
 * Injected trouble, to rehearse what AWS does on a bad day: throttling (ECS answers 400
 * ThrottlingException "Rate exceeded", which the SDKs retry with backoff), server errors (500
 * ServerException), slow answers, and duplicated or lost events. Random choices come from a seeded generator, so a
 * test with a seed sees the same sequence every time.
 */
import { EcsApiError } from "./api-error.ts";

export interface FaultSettings {
  /** Share of matching requests answered with ThrottlingException (0..1). */
  throttleRate?: number;
  /** Share of matching requests answered with ServerException (0..1). */
  errorRate?: number;
  /** Delay before every matching answer, in real milliseconds. */
  latencyMs?: number;
  /** The next N matching requests are throttled, whatever the rates. */
  throttleNext?: number;
  /** The next N matching requests fail with ServerException, whatever the rates. */
  errorNext?: number;
  /**
   * The next N matching requests are answered 502 with an HTML page, as a proxy in the way would: an
   * answer the SDK cannot read (it throws a SyntaxError carrying the response's metadata).
   */
  garbleNext?: number;
  /** Share of task state change events delivered twice (EventBridge delivers at least once). */
  duplicateEventRate?: number;
  /**
   * Share of task state change events never delivered: in AWS, an event whose function invocation failed
   * past its retries. ECS itself still knows the task's state (DescribeTasks).
   */
  lostEventRate?: number;
  /** Only these operations are affected (default: all). */
  onlyOperations?: readonly string[];
  seed?: number;
}

/** mulberry32: tiny, fast, and good enough to decide which request fails. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rate = (name: string, v: number | undefined): number => {
  if (v === undefined) return 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`faults.${name}: expected 0..1, got ${v}`);
  return v;
};

export class Faults {
  private settings: FaultSettings = {};
  private random: () => number = seededRandom(1);

  /** Replaces the current settings (an empty object clears every fault). */
  set(settings: FaultSettings): void {
    rate("throttleRate", settings.throttleRate);
    rate("errorRate", settings.errorRate);
    rate("duplicateEventRate", settings.duplicateEventRate);
    rate("lostEventRate", settings.lostEventRate);
    this.settings = { ...settings };
    this.random = seededRandom(settings.seed ?? 1);
  }

  clear(): void {
    this.set({});
  }

  get(): Readonly<FaultSettings> {
    return this.settings;
  }

  private applies(operation: string): boolean {
    const only = this.settings.onlyOperations;
    return !only || only.includes(operation);
  }

  /** The error to answer `operation` with instead of serving it, if any; and how long to wait first. */
  decide(operation: string): { latencyMs: number; error?: EcsApiError; garbled?: true } {
    if (!this.applies(operation)) return { latencyMs: 0 };
    const s = this.settings;
    const latencyMs = s.latencyMs ?? 0;
    if (s.throttleNext && s.throttleNext > 0) {
      s.throttleNext--;
      return { latencyMs, error: throttled() };
    }
    if (s.errorNext && s.errorNext > 0) {
      s.errorNext--;
      return { latencyMs, error: serverError() };
    }
    if (s.garbleNext && s.garbleNext > 0) {
      s.garbleNext--;
      return { latencyMs, garbled: true };
    }
    if (s.throttleRate && this.random() < s.throttleRate) return { latencyMs, error: throttled() };
    if (s.errorRate && this.random() < s.errorRate) return { latencyMs, error: serverError() };
    return { latencyMs };
  }

  /** How many times to deliver the next task state change event: 0 (lost), 1, or 2 (duplicated). */
  eventDeliveries(): 0 | 1 | 2 {
    const lost = this.settings.lostEventRate;
    if (lost !== undefined && lost > 0 && this.random() < lost) return 0;
    const r = this.settings.duplicateEventRate;
    return r !== undefined && r > 0 && this.random() < r ? 2 : 1;
  }
}

const throttled = () => new EcsApiError("ThrottlingException", "Rate exceeded");
const serverError = () =>
  new EcsApiError("ServerException", "Service Unavailable. Please try again later.", { status: 500 });
