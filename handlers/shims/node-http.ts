/**
 * `node:http` for the Lambda bundles (serverless.yml `custom.esbuild.alias`), loaded with require().
 *
 * An ES module `import … from "node:http"` makes Node build the module's ESM facade, which reads every
 * export — among them the lazy WebSocket/CloseEvent/MessageEvent getters that load Node's whole fetch
 * implementation (undici): ~15 ms of CPU and ~30 ms with its GC on a cold start, for nothing the handlers
 * use. The SDK already imports node:http lazily for this reason; @middy/util (STATUS_CODES) and the
 * credential provider for instance metadata import it eagerly. require() returns the CommonJS module
 * without touching the getters. Only the names the bundled packages import are exported (esbuild fails
 * the build if a new import needs another).
 */
import { createRequire } from "node:module";

const http: typeof import("node:http") = createRequire(import.meta.url)("node:http");

export default http;
export const { Agent, STATUS_CODES, request } = http;
