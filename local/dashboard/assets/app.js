// The local dashboard's script (served inline, allowed by the page's CSP nonce). Actions go through the
// HTTP API routes with the session cookie, a JSON body and the page's CSRF token header; live updates come
// as Server-Sent Events ("change") from /dashboard/events, after which the page re-fetches its own HTML and
// swaps only the regions marked data-live, so forms being filled in and keyboard focus survive.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
  const partialUrl = document.body.dataset.partial ?? "/?partial=1";

  const say = (el, text, isError) => {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", Boolean(isError));
  };
  const messageBox = (node) =>
    node.closest("article")?.querySelector(".msg") ?? document.getElementById("run-msg");

  async function call(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body ?? {}),
    });
    let data;
    try {
      data = await res.json();
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const e = data?.error;
      throw new Error(e ? `${e.message} (HTTP ${res.status})` : `HTTP ${res.status}`);
    }
    return data;
  }

  /** The POST /jobs/{name}/runs body from the form's fields; empty fields are left out. */
  function bodyOf(form) {
    const body = {};
    const overrides = {};
    const target = (container) => {
      if (!container) return overrides;
      overrides.containers ??= {};
      overrides.containers[container] ??= {};
      return overrides.containers[container];
    };
    for (const el of form.querySelectorAll("[data-kind]")) {
      const value = el.value.trim();
      if (value === "") continue;
      const { kind, container, name, entry } = el.dataset;
      if (kind === "count") body.count = Number(value);
      else if (kind === "cpu" || kind === "memory") overrides[kind] = value;
      else if (kind === "command") {
        let command;
        try {
          command = value.startsWith("[") ? JSON.parse(value) : value.split(/\s+/);
        } catch {
          throw new Error(`${entry}: not a JSON list of strings`);
        }
        target(container).command = command;
      } else if (kind === "env") {
        const t = target(container);
        t.environment ??= {};
        t.environment[name] = el.value;
      } else if (kind === "env-any") {
        const t = target(container);
        t.environment ??= {};
        for (const line of el.value.split("\n").filter((l) => l.trim() !== "")) {
          const eq = line.indexOf("=");
          if (eq < 1) throw new Error(`${entry}: expected NAME=value on each line, got "${line}"`);
          t.environment[line.slice(0, eq).trim()] = line.slice(eq + 1);
        }
      }
    }
    if (Object.keys(overrides).length > 0) body.overrides = overrides;
    return body;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.run-now");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const box = messageBox(form);
    button.disabled = true;
    try {
      const run = await call("POST", `/jobs/${encodeURIComponent(form.dataset.job)}/runs`, bodyOf(form));
      say(box, `Started run ${run.runId} (${run.status}).`);
      await refresh();
    } catch (error) {
      say(box, `Run now failed: ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  });

  const ACTIONS = {
    stop: (b) => [
      "POST",
      `/runs/${encodeURIComponent(b.dataset.run)}/stop`,
      { reason: "stopped from the dashboard" },
    ],
    pause: (b) => ["POST", `/jobs/${encodeURIComponent(b.dataset.job)}/pause`],
    resume: (b) => ["POST", `/jobs/${encodeURIComponent(b.dataset.job)}/resume`],
  };
  const DONE = { stop: "Stop requested.", pause: "Paused.", resume: "Resumed." };

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    const action = button && ACTIONS[button.dataset.action];
    if (!action) return;
    const box = messageBox(button);
    button.disabled = true;
    try {
      await call(...action(button));
      say(box, DONE[button.dataset.action]);
      await refresh();
    } catch (error) {
      say(box, `${button.textContent} failed: ${error.message}`, true);
      button.disabled = false;
    }
  });

  /** Swaps the data-live regions that changed; the whole <main> when the set of jobs changed. */
  async function refresh() {
    let html;
    try {
      const res = await fetch(partialUrl, { credentials: "same-origin" });
      if (!res.ok) return;
      html = await res.text();
    } catch {
      return;
    }
    const next = new DOMParser().parseFromString(html, "text/html").getElementById("main");
    const main = document.getElementById("main");
    if (!next || !main) return;
    const focused = document.activeElement?.id;
    if (next.dataset.jobs !== main.dataset.jobs || next.dataset.run !== main.dataset.run) {
      main.replaceWith(next);
    } else {
      for (const region of next.querySelectorAll("[data-live][id]")) {
        const current = document.getElementById(region.id);
        if (current && current.innerHTML !== region.innerHTML) current.replaceWith(region);
      }
    }
    if (focused && document.activeElement?.id !== focused) document.getElementById(focused)?.focus();
    await refreshLogs();
  }

  /** The run page's log lines, from the logs route; kept scrolled to the end if it was. */
  async function refreshLogs() {
    const pre = document.getElementById("log-lines");
    if (!pre) return;
    try {
      const res = await fetch(pre.dataset.src, { credentials: "same-origin" });
      const data = await res.json();
      if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
      const lines = data.lines.map((l) => l.text);
      const notices = (data.notices ?? []).map((n) => `# ${n}`);
      const text = [...notices, ...lines].join("\n") || "(no log lines yet)";
      if (pre.textContent === text) return;
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent = text;
      if (atEnd) pre.scrollTop = pre.scrollHeight;
    } catch (error) {
      pre.textContent = `Logs unavailable: ${error.message}`;
    }
  }

  if ("EventSource" in window) {
    const events = new EventSource("/dashboard/events");
    events.addEventListener("change", () => void refresh());
    // What changed between this page's HTML and the stream's start (or during a reconnect) is fetched now.
    events.addEventListener("open", () => void refresh());
  } else {
    setInterval(refresh, 3000);
  }
  // Log lines arrive without the run changing state: while the run page shows a run in flight, ask again.
  setInterval(() => {
    if (document.querySelector('#run-head button[data-action="stop"]')) void refreshLogs();
  }, 2000);
  void refreshLogs();
})();
