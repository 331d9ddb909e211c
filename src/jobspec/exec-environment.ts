/**
 * What an HTTP caller may put in the environment of a `local.exec: true` job. Such a job's container runs as
 * a process of the developer's machine, not in a container, so a variable that a loader, a shell or a
 * language runtime reads at start (LD_PRELOAD, BASH_ENV, PATH, NODE_OPTIONS …) runs whatever the caller names.
 *
 * The rule is an allowlist, with a denylist on top: a caller may only set variables the job's author
 * declared (the task definition's container, the job's own `task.overrides` environment, or an
 * `environment.NAME` entry of `http.allowOverrides`), and never one of the variables below, even declared.
 * A denylist alone would be weaker: every runtime adds variables of its own (JAVA_TOOL_OPTIONS,
 * DOTNET_STARTUP_HOOKS …), and the list can never be known to be complete; declared names can.
 * `environment.*` and `command` therefore have no place in an exec job's allowlist: `validate` says so,
 * and the ECS emulator refuses such a task at start (local/ecs/exec.ts) whoever asked for it.
 */
import type { JobSpec } from "./schema.ts";

/** Exact names read by dynamic loaders, shells and tools at start, or pointing them at code or config. */
const LOADER_NAMES = new Set([
  "PATH",
  "HOME",
  "SHELL",
  "ENV",
  "BASH_ENV",
  "SHELLOPTS",
  "BASHOPTS",
  "PS4",
  "PROMPT_COMMAND",
  "IFS",
  "CDPATH",
  "GLOBIGNORE",
  "CLASSPATH",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "RUBYOPT",
  "RUBYLIB",
  "PERLLIB",
  "PHPRC",
  "GCONV_PATH",
  "LOCPATH",
  "HOSTALIASES",
  "RESOLV_HOST_CONF",
  "OPENSSL_CONF",
  "OPENSSL_ENGINES",
  "EDITOR",
  "VISUAL",
  "PAGER",
  "LESSOPEN",
  "LESSCLOSE",
  "SSH_ASKPASS",
  "DOTNET_STARTUP_HOOKS",
]);

/** Families by prefix: the loaders' LD_/DYLD_, and runtimes that read options or code paths from any of theirs. */
const LOADER_PREFIXES = [
  "LD_",
  "DYLD_",
  "BASH_FUNC_",
  "NODE_",
  "NPM_CONFIG_",
  "PYTHON",
  "PERL5",
  "PERL_",
  "RUBY",
  "GEM_",
  "BUNDLE_",
  "LUA_",
  "GIT_",
  "MALLOC_",
  "CORECLR_",
  "COR_",
];

/** Whether a variable changes how a process starts (compared case-insensitively: Windows, npm_config_*). */
export function isLoaderVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return LOADER_NAMES.has(upper) || LOADER_PREFIXES.some((p) => upper.startsWith(p));
}

export interface ExecIssue {
  path: (string | number)[];
  message: string;
}

/** The `http.allowOverrides` entries of an exec job that would let a caller choose what runs on this machine. */
export function execAllowlistIssues(spec: JobSpec): ExecIssue[] {
  if (!spec.local.exec || typeof spec.http !== "object") return [];
  const issues: ExecIssue[] = [];
  spec.http.allowOverrides.forEach((entry, i) => {
    const item = entry.replace(/^[A-Za-z0-9_-]{1,255}\.(?=command$|environment\.)/, "");
    const path = ["http", "allowOverrides", i];
    if (item === "command")
      issues.push({
        path,
        message: `${entry}: a local.exec job runs its command on this machine; a caller may not choose it`,
      });
    else if (item === "environment.*")
      issues.push({
        path,
        message: `${entry}: a local.exec job runs on this machine; name each variable a caller may set (environment.NAME)`,
      });
    else if (item.startsWith("environment.") && isLoaderVariable(item.slice("environment.".length)))
      issues.push({
        path,
        message: `${entry}: a local.exec job runs on this machine, and ${item.slice("environment.".length)} changes how its process starts; a caller may not set it`,
      });
  });
  return issues;
}

/**
 * What the emulator needs to apply the rule to an exec task: the variables the job's own spec sets (name and
 * value: the author's, allowed whatever the name) and the names its allowlist lets callers set.
 */
export function execEnvironmentOf(spec: JobSpec): { fixed: [string, string][]; overridable: string[] } {
  const fixed = (spec.task.overrides?.containers ?? []).flatMap((c) =>
    Object.entries(c.environment ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
  );
  const allow = typeof spec.http === "object" ? spec.http.allowOverrides : [];
  const overridable = allow.flatMap((e) => {
    const m = /(?:^|\.)environment\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(e);
    return m?.[1] ? [m[1]] : [];
  });
  return { fixed, overridable: [...new Set([...overridable, ...fixed.map(([k]) => k)])] };
}
