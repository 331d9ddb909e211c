/**
 * The run ledger's journal: one line per run write the local ledger acknowledged (`{runId, job, rev}`),
 * appended beside the LevelDB folder, so that a start can tell whether the ledger still holds every run at
 * the revision it once answered for. LevelDB cannot: a log file cut short (a crash before the disk had it,
 * a copy or backup taken mid-write, a disk that is full) is recovered "as far as it reads", by design without
 * an error, and the runs written last, with the alerts they were still to send, are gone without a word.
 *
 * The line is written after dynalite has written LevelDB and before the answer leaves, so the journal never
 * claims a write the ledger did not make: a run the journal names and the ledger lacks (or holds at an
 * earlier revision) was lost. Writes are recorded at the ledger's door (dynalite's HTTP server), whoever
 * makes them: the stack's handlers and the CLI alike.
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { EcsJobsError } from "../src/host/wiring.ts";

/** Beside the ledger's folder in the data dir: a ledger folder removed whole leaves it to tell. */
export const JOURNAL_FILE = "ledger-journal.jsonl";

/** The ledger's run items (src/ledger/dynamo-table.ts): `RUN#<id>`, with a revision that grows by one a write. */
const RUN_PREFIX = "RUN#";
const JOB_PREFIX = "JOB#";
/**
 * The items of a run whose tasks are stored in parts (src/ledger/task-parts.ts): its parts
 * (`TASKS#<id>#<n>`, with a revision of their own) and each task's placement (`TASKPART#<id>#<arn>`, written
 * once). Without them a restart could find the run item and lose a part of its tasks without a word.
 */
const TASK_ITEM_PREFIXES = ["TASKS#", "TASKPART#"];

export interface RunRevision {
  runId: string;
  job?: string | undefined;
  rev: number;
  /** The item's key when it is one of the run's task items rather than the run item. */
  item?: string | undefined;
}

/** What the journal keys an entry by: the run, or the run's task item. */
export const journalKey = (r: RunRevision): string => r.item ?? r.runId;

const isRevision = (v: unknown): v is RunRevision => {
  const r = v as Partial<RunRevision> | null;
  return (
    typeof r?.runId === "string" &&
    Number.isInteger(r.rev) &&
    (r.job === undefined || typeof r.job === "string") &&
    (r.item === undefined || typeof r.item === "string")
  );
};

/** The latest revision of each run the journal names; none when there is no journal (a data dir of before). */
export function readJournal(path: string): Map<string, RunRevision> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return new Map();
    throw new EcsJobsError(
      "DamagedLedger",
      `the run ledger's journal ${path} cannot be read (${code}); move it aside to start without checking the ledger against it`,
      { cause: error },
    );
  }
  const lines = text.split("\n");
  // A last line without its newline was being written when the stack died: its write was never answered.
  lines.pop();
  const out = new Map<string, RunRevision>();
  lines.forEach((line, i) => {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {}
    if (!isRevision(entry))
      throw new EcsJobsError(
        "DamagedLedger",
        `the run ledger's journal ${path} is damaged at line ${i + 1}; move it aside to start without checking the ledger against it`,
      );
    const known = out.get(journalKey(entry));
    if (!known || known.rev < entry.rev) out.set(journalKey(entry), entry);
  });
  return out;
}

/** Replaces the journal with one line per run (written aside, then renamed: never half a journal). */
export function writeJournal(path: string, runs: Iterable<RunRevision>): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    let text = "";
    for (const r of runs) text += `${JSON.stringify(r)}\n`;
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * The run of a DynamoDB item as the ledger stores it (`{pk: {S}, rev: {N}, gsi1pk: {S}}`), if it is one, or
 * of a task item of a run stored in parts (a placement, written once, at revision 0).
 */
export function runRevisionOf(item: unknown): RunRevision | undefined {
  const i = item as { pk?: { S?: unknown }; rev?: { N?: unknown }; gsi1pk?: { S?: unknown } } | null;
  const pk = i?.pk?.S;
  if (typeof pk !== "string") return undefined;
  const prefix = TASK_ITEM_PREFIXES.find((p) => pk.startsWith(p));
  if (prefix) {
    // A run id has no '#' (RUN_ID_PATTERN); what follows it is the part's number or the task's ARN.
    const runId = pk.slice(prefix.length).split("#")[0] as string;
    const rev = prefix === "TASKPART#" ? 0 : Number(i?.rev?.N);
    return runId && Number.isInteger(rev) ? { runId, rev, item: pk } : undefined;
  }
  const rev = Number(i?.rev?.N);
  if (!pk.startsWith(RUN_PREFIX) || !Number.isInteger(rev)) return undefined;
  const job = i?.gsi1pk?.S;
  return {
    runId: pk.slice(RUN_PREFIX.length),
    ...(typeof job === "string" && job.startsWith(JOB_PREFIX) && { job: job.slice(JOB_PREFIX.length) }),
    rev,
  };
}

export interface LedgerLoss {
  /** Runs (or task items of runs) the journal names that the ledger no longer holds. */
  missing: RunRevision[];
  /** Runs the ledger holds at an earlier revision than it answered for: their last changes are gone. */
  behind: { run: RunRevision; held: number }[];
}

/** What the journal says was written and the ledger does not hold (`held`: by journalKey). */
export function lostWrites(
  journal: ReadonlyMap<string, RunRevision>,
  held: ReadonlyMap<string, number>,
): LedgerLoss {
  const loss: LedgerLoss = { missing: [], behind: [] };
  for (const run of journal.values()) {
    const rev = held.get(journalKey(run));
    if (rev === undefined) loss.missing.push(run);
    else if (rev < run.rev) loss.behind.push({ run, held: rev });
  }
  return loss;
}

const SHOWN = 5;
const named = (r: RunRevision) =>
  `${r.runId}${r.job ? ` (${r.job})` : ""}${r.item ? ` (its tasks' item ${r.item})` : ""}`;
const some = (items: string[]) =>
  items.slice(0, SHOWN).join(", ") + (items.length > SHOWN ? ` and ${items.length - SHOWN} more` : "");

/** One sentence for the refusal: how many runs, and which. */
export function describeLoss(loss: LedgerLoss): string {
  const parts: string[] = [];
  const runs = loss.missing.filter((r) => r.item === undefined);
  const items = loss.missing.filter((r) => r.item !== undefined);
  if (runs.length > 0) parts.push(`${runs.length} run(s) are gone: ${some(runs.map(named))}`);
  if (items.length > 0)
    parts.push(
      `${items.length} item(s) of the tasks of runs stored in parts are gone (those runs lack tasks): ${some(items.map(named))}`,
    );
  if (loss.behind.length > 0)
    parts.push(
      `${loss.behind.length} run(s) lost their last changes (their status and alerts may be out of date): ${some(
        loss.behind.map((b) => `${named(b.run)} at revision ${b.held} of ${b.run.rev}`),
      )}`,
    );
  return parts.join("; ");
}

/** Only these write runs and their tasks' items: the run store's puts (src/ledger/run-store.ts); claims and slots do not. */
const PUT_ITEM = "DynamoDB_20120810.PutItem";

/**
 * Appends a line to the journal for each run write dynalite answers 200 to, before the answer is sent.
 * A line that cannot be written (a full disk) goes to `onError`; the journal then misses a write, which
 * the start-up check takes as nothing lost (never the other way round). Returns the closer of the file.
 */
export function journalRunWrites(
  server: Server,
  path: string,
  onError: (error: unknown) => void,
): () => void {
  const fd = openSync(path, "a", 0o600);
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers["x-amz-target"] === PUT_ITEM) {
      const chunks: Buffer[] = [];
      // dynalite reads the body with 'data' listeners too: every listener sees every chunk.
      req.on("data", (c: Buffer) => chunks.push(c));
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        if (res.statusCode === 200) record(Buffer.concat(chunks));
        return end(...args);
      }) as ServerResponse["end"];
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
  const record = (body: Buffer) => {
    let run: RunRevision | undefined;
    try {
      run = runRevisionOf((JSON.parse(body.toString("utf8")) as { Item?: unknown }).Item);
    } catch {
      return;
    }
    if (!run) return;
    try {
      writeSync(fd, `${JSON.stringify(run)}\n`);
    } catch (error) {
      onError(error);
    }
  };
  return () => closeSync(fd);
}
