/**
 * The osls plugin that turns jobs/ into the stack at package time (listed in serverless.yml `plugins`):
 *   - validates the jobs (packaging fails with the spec errors) and puts the catalogue in every bundle;
 *   - adds the run table, the schedule group with its DLQ and role, one least-privilege role per function,
 *     the ECS event rules, and checks the template against the CloudFormation/IAM quotas;
 *   - writes the schedules to `schedules.json` next to the template, and after `deploy` reconciles the
 *     schedule group with it (`serverless reconcile-schedules` does only that).
 * The work is in the pure modules beside it; this file only speaks osls.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CATALOG_FILE_NAME, loadValidJobs, writeCatalog } from "../src/catalog/build.ts";
import { EcsJobsError } from "../src/errors.ts";
import type { Job } from "../src/jobspec/schema.ts";
import { partitionOf } from "./arns.ts";
import { type DeployConfig, parseDeployConfig } from "./config.ts";
import {
  type DeployedConfiguration,
  DeployFunctionError,
  type FunctionUpdate,
  functionUpdate,
} from "./deploy-function.ts";
import { type Metafile, reachableOutputs, trimFunctionZip } from "./function-zips.ts";
import { FUNCTION_KEYS, type FunctionKey, HANDLERS, roleLogicalId } from "./functions.ts";
import { checkTemplate, type Template } from "./limits.ts";
import { MANIFEST_FILE_NAME, resolveTarget, type ScheduleManifest } from "./schedules.ts";
import { buildStack, type StackAdditions, type StackNames, stackNames } from "./stack.ts";
import { runTableDefinition } from "./table.ts";

/** The parts of the osls API this plugin uses. */
interface Serverless {
  serviceDir: string;
  classes: { Error: new (message: string, code?: string) => Error };
  service: {
    service: string;
    custom?: { ecsJobs?: unknown; esbuild?: { outputFileExtension?: string } };
    functions: Record<
      string,
      {
        handler?: string;
        role?: unknown;
        name?: string;
        environment?: Record<string, unknown>;
        /** Set by serverless-esbuild once it zipped the function, relative to the service folder. */
        package?: { artifact?: string };
      }
    >;
    provider: {
      environment?: Record<string, unknown>;
      compiledCloudFormationTemplate: Template & { Outputs?: Record<string, unknown> };
      /** `deploy function`: the function's GetFunction answer, fetched by osls before packaging. */
      remoteFunctionData?: { Configuration?: DeployedConfiguration };
    };
    package?: { path?: string };
  };
  pluginManager: { plugins: unknown[] };
  getProvider(name: "aws"): AwsProvider;
}

interface AwsProvider {
  getStage(): string;
  getRegion(): string;
  getAccountInfo(): Promise<{ accountId: string; partition: string }>;
  getAwsSdkV3Config(): Promise<Record<string, unknown>>;
  naming: { getLambdaLogicalId(functionName: string): string };
}

interface Logging {
  log: {
    notice(m: string): void;
    info(m: string): void;
    warning(m: string): void;
    success?(m: string): void;
  };
}

/** Where the bundled catalogue is read from inside a function (its working directory is the bundle root). */
export const CATALOG_ENV_VALUE = `./${CATALOG_FILE_NAME}`;

export default class EcsJobsPlugin {
  readonly hooks: Record<string, () => Promise<void> | void>;
  readonly commands = {
    "reconcile-schedules": {
      usage: "Creates, updates and deletes the jobs' EventBridge Scheduler schedules to match jobs/",
      lifecycleEvents: ["reconcile"],
    },
  };
  private readonly serverless: Serverless;
  private readonly options: { package?: string; function?: string };
  private readonly log: Logging["log"];
  private jobsCache: Job[] | undefined;
  private manifest: ScheduleManifest | undefined;
  private added: StackAdditions | undefined;

  constructor(serverless: Serverless, options: { package?: string; function?: string }, logging?: Logging) {
    this.serverless = serverless;
    this.options = options;
    this.log = logging?.log ?? { notice: console.log, info: () => {}, warning: console.warn };
    this.hooks = {
      "before:package:createDeploymentArtifacts": () => this.writeCatalogIntoBundles(),
      // `deploy function -f NAME` bundles one function through its own lifecycle.
      // osls fetched the deployed function in deploy:function:initialize; what cannot be deployed is refused
      // here, before anything is bundled or uploaded (deploy-function.ts).
      "before:deploy:function:packageFunction": () => {
        this.writeCatalogIntoBundles();
        this.prepareFunctionUpdate();
      },
      // After serverless-esbuild zipped the functions and before its own after-hook removes its build
      // folder (this plugin is listed first in serverless.yml, so its hooks of an event run first).
      "after:package:createDeploymentArtifacts": () => this.trimFunctionZips(),
      "after:deploy:function:packageFunction": () => this.trimFunctionZips(),
      "after:package:compileEvents": () => this.addResources(),
      "before:aws:package:finalize:saveServiceState": () => this.checkAndWriteManifest(),
      "after:deploy:deploy": () => this.reconcileAfterDeploy(),
      "reconcile-schedules:reconcile": () => this.reconcileNow(),
    };
  }

  private fail(message: string): never {
    throw new this.serverless.classes.Error(`ecs-jobs: ${message}`);
  }

  private get provider(): AwsProvider {
    return this.serverless.getProvider("aws");
  }

  private config(): DeployConfig {
    try {
      return parseDeployConfig(this.serverless.service.custom?.ecsJobs);
    } catch (error) {
      return this.fail((error as Error).message);
    }
  }

  /** ECS_JOBS_DIR overrides custom.ecsJobs.jobsDir, so one service can be packaged for another folder. */
  private jobsDir(): string {
    return resolve(this.serverless.serviceDir, process.env.ECS_JOBS_DIR || this.config().jobsDir);
  }

  private jobs(): Job[] {
    if (!this.jobsCache) {
      try {
        this.jobsCache = loadValidJobs(this.jobsDir(), this.serverless.serviceDir);
      } catch (error) {
        if (error instanceof EcsJobsError) this.fail(`invalid jobs in ${this.jobsDir()}\n${error.message}`);
        throw error;
      }
      this.log.info(`ecs-jobs: ${this.jobsCache.length} jobs from ${this.jobsDir()}`);
    }
    return this.jobsCache;
  }

  /** The functions serverless.yml must declare, each with its handler and its generated role. */
  private checkFunctions(): void {
    const fns = this.serverless.service.functions;
    for (const key of FUNCTION_KEYS) {
      const fn = fns[key];
      if (!fn) this.fail(`serverless.yml must declare the function "${key}"`);
      if (fn.handler !== HANDLERS[key]) this.fail(`functions.${key}.handler must be ${HANDLERS[key]}`);
      if (fn.role !== roleLogicalId(key)) this.fail(`functions.${key}.role must be ${roleLogicalId(key)}`);
    }
    const env = this.serverless.service.provider.environment ?? {};
    if (env.ECS_JOBS_CATALOG !== CATALOG_ENV_VALUE) {
      this.fail(`provider.environment.ECS_JOBS_CATALOG must be ${CATALOG_ENV_VALUE}`);
    }
  }

  /**
   * serverless-esbuild zips everything in its build folder into each function's archive, so the catalogue
   * written there before it bundles lands at the root of every bundle.
   */
  private writeCatalogIntoBundles(): void {
    this.checkFunctions();
    const jobs = this.jobs();
    // With launcher roles, the catalogue says which one each job's launch goes through.
    writeCatalog(join(this.esbuildBuildDir(), CATALOG_FILE_NAME), jobs, this.stack().iam.launcherRoles);
  }

  /** serverless-esbuild's build folder: the bundles, their chunks and metafiles, until it cleans up. */
  private esbuildBuildDir(): string {
    const esbuild = this.serverless.pluginManager.plugins.find(
      (p) => (p as { constructor?: { name?: string } })?.constructor?.name === "EsbuildServerlessPlugin",
    ) as { buildDirPath?: string } | undefined;
    if (!esbuild?.buildDirPath)
      this.fail("serverless-esbuild must be listed in plugins (it bundles the handlers)");
    return esbuild.buildDirPath;
  }

  /** Each function's zip without the other handlers' chunks: see function-zips.ts. */
  private trimFunctionZips(): void {
    const buildDir = this.esbuildBuildDir();
    const extension = this.serverless.service.custom?.esbuild?.outputFileExtension ?? ".js";
    const zipped = Object.entries(this.serverless.service.functions).flatMap(([key, fn]) => {
      const artifact = fn.package?.artifact;
      if (!artifact || !fn.handler) return [];
      const module = fn.handler.slice(0, fn.handler.lastIndexOf("."));
      const metafile = `${module}-meta.json`;
      if (!existsSync(join(buildDir, metafile)))
        this.fail(
          `no esbuild metafile ${metafile} for ${key}: serverless.yml needs custom.esbuild.metafile: true`,
        );
      const meta = JSON.parse(readFileSync(join(buildDir, metafile), "utf8")) as Metafile;
      const outputs = reachableOutputs(meta, `${module}${extension}`);
      return [{ key, zip: resolve(this.serverless.serviceDir, artifact), metafile, ...outputs }];
    });
    const allOutputs = new Set(zipped.flatMap((z) => [...z.all]));
    const metafiles = new Set(zipped.map((z) => z.metafile));
    for (const z of zipped) {
      const dropped = trimFunctionZip(z.zip, z.reachable, allOutputs, (name) => metafiles.has(name));
      this.log.info(`ecs-jobs: ${z.key}: ${z.reachable.size} bundle files kept, ${dropped.length} dropped`);
    }
  }

  /** `deploy function -f KEY`: the deployed role and launcher prefix kept, or nothing uploaded. */
  private prepareFunctionUpdate(): void {
    const key = this.options.function ?? "";
    const fn = this.serverless.service.functions[key];
    if (!fn) this.fail(`deploy function: serverless.yml has no function "${key}"`);
    const launchers = this.stack().iam.launchers.filter((l) => l.functions.includes(key as FunctionKey));
    let update: FunctionUpdate;
    try {
      update = functionUpdate(
        key,
        this.serverless.service.provider.remoteFunctionData?.Configuration,
        launchers.length,
      );
    } catch (error) {
      if (error instanceof DeployFunctionError) this.fail(error.message);
      throw error;
    }
    fn.role = update.role;
    fn.environment = { ...fn.environment, ...update.environment };
  }

  private names(): StackNames {
    const fns = this.serverless.service.functions;
    const functionNames = {} as Record<FunctionKey, string>;
    const functionLogicalIds = {} as Record<FunctionKey, string>;
    for (const key of FUNCTION_KEYS) {
      functionNames[key] = fns[key]?.name ?? key;
      functionLogicalIds[key] = this.provider.naming.getLambdaLogicalId(key);
    }
    return stackNames({
      service: this.serverless.service.service,
      stage: this.provider.getStage(),
      region: this.provider.getRegion(),
      functionNames,
      functionLogicalIds,
      config: this.config(),
    });
  }

  /** What the jobs add to the stack, built once: the catalogue (launcher roles) and the template share it. */
  private stack(): StackAdditions {
    if (!this.added) {
      try {
        this.added = buildStack({
          jobs: this.jobs(),
          config: this.config(),
          names: this.names(),
          table: runTableDefinition(),
        });
      } catch (error) {
        if (error instanceof EcsJobsError) this.fail(error.message);
        throw error;
      }
    }
    return this.added;
  }

  private async addResources(): Promise<void> {
    this.checkFunctions();
    const added = this.stack();
    const launchers = added.iam.launchers;
    if (launchers.length > 0) {
      this.log.info(
        `ecs-jobs: the launch grants exceed what a function role holds; ${launchers.length} launcher roles hold them`,
      );
    }
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    template.Resources ??= {};
    template.Outputs ??= {};
    for (const [id, resource] of Object.entries(added.resources)) {
      if (template.Resources[id]) this.fail(`the template already has a resource named ${id}`);
      template.Resources[id] = resource;
    }
    for (const [key, variables] of Object.entries(added.functionEnvironment)) {
      const fn = template.Resources[this.provider.naming.getLambdaLogicalId(key)];
      if (!fn) this.fail(`the template has no function ${key}`);
      fn.Properties ??= {};
      const properties = fn.Properties as { Environment?: { Variables?: Record<string, unknown> } };
      properties.Environment ??= {};
      properties.Environment.Variables = { ...properties.Environment.Variables, ...variables };
    }
    Object.assign(template.Outputs, added.outputs);
    this.manifest = added.manifest;
  }

  private packageDir(): string {
    return (
      this.options.package ??
      this.serverless.service.package?.path ??
      join(this.serverless.serviceDir, ".serverless")
    );
  }

  /** Runs after osls merged `resources:` from serverless.yml, on the template that will be deployed. */
  private checkAndWriteManifest(): void {
    const config = this.config();
    const report = checkTemplate(this.serverless.service.provider.compiledCloudFormationTemplate, {
      maxManagedPoliciesPerRole: config.maxManagedPoliciesPerRole,
    });
    if (report.problems.length > 0) this.fail(`the stack exceeds AWS quotas:\n${report.problems.join("\n")}`);
    if (!this.manifest) return;
    // osls moves .serverless/ to the --package folder right after this step.
    const dir = join(this.serverless.serviceDir, ".serverless");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MANIFEST_FILE_NAME), `${JSON.stringify(this.manifest, null, 2)}\n`);
    this.log.info(
      `ecs-jobs: ${this.manifest.schedules.length} schedules, ${report.resources} resources, ${report.templateBytes} template bytes`,
    );
  }

  private readManifest(): ScheduleManifest {
    if (this.manifest) return this.manifest;
    const path = join(this.packageDir(), MANIFEST_FILE_NAME);
    if (!existsSync(path)) this.fail(`no schedule manifest at ${path}; package first`);
    return JSON.parse(readFileSync(path, "utf8")) as ScheduleManifest;
  }

  private async reconcile(manifest: ScheduleManifest): Promise<void> {
    const [{ SchedulerClient }, { reconcileSchedules }] = await Promise.all([
      import("@aws-sdk/client-scheduler"),
      import("./reconcile-schedules.ts"),
    ]);
    const region = this.provider.getRegion();
    const account = await this.provider.getAccountInfo();
    const client = new SchedulerClient({
      ...(await this.provider.getAwsSdkV3Config()),
      maxAttempts: 5,
      retryMode: "adaptive",
    });
    const target = resolveTarget(manifest, {
      partition: account.partition || partitionOf(region),
      region,
      accountId: account.accountId,
    });
    await reconcileSchedules({ client, manifest, target, log: (m) => this.log.notice(`ecs-jobs: ${m}`) });
  }

  private async reconcileAfterDeploy(): Promise<void> {
    if (!this.config().reconcileOnDeploy) return;
    await this.reconcile(this.readManifest());
  }

  /** `serverless reconcile-schedules`: from the jobs folder as it is now, without packaging. */
  private async reconcileNow(): Promise<void> {
    const definition = runTableDefinition();
    const added = buildStack({
      jobs: this.jobs(),
      config: this.config(),
      names: this.names(),
      table: definition,
    });
    await this.reconcile(added.manifest);
  }
}
