/**
 * Starts one moto_server (moto 5.2, python; on PATH) on a free loopback port, for the moto tests
 * (test/moto/support/moto.ts) and the benchmarks that need an AWS implementation nobody here wrote.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** Resolves once moto listens; its output keeps being drained so the pipe never fills and blocks it. */
export async function startMotoServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Werkzeug says it listens on stderr ("Running on http://127.0.0.1:PORT") once the socket is bound.
  let output = "";
  await new Promise<void>((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`Running on http://127.0.0.1:${port}`)) {
        child.stderr?.off("data", onData);
        child.stdout?.off("data", onData);
        ready();
      }
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("error", (e) => fail(new Error(`moto_server could not start: ${e.message}`)));
    child.once("exit", (code) =>
      fail(new Error(`moto_server exited (${code}) before listening:\n${output}`)),
    );
  });
  child.stderr?.resume();
  child.stdout?.resume();
  return { url: `http://127.0.0.1:${port}`, child };
}
