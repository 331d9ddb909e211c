/** Which ECS client a launch goes through, and the STS credentials of a launcher role (STS mocked here). */
import { ECSClient } from "@aws-sdk/client-ecs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CredentialProvider,
  LAUNCHER_ROLE_ARN_PREFIX_ENV,
  LauncherCredentialsError,
  launchClient,
  launchersFromEnv,
  sessionNameOf,
} from "../../src/launch/launcher-credentials.ts";

const sts = mockClient(STSClient);
afterEach(() => sts.reset());

const PREFIX = "arn:aws:iam::111122223333:role/";
const ROLES = {
  "nightly-report": { RunTask: "ecs-jobs-prod-eu-west-1-launcher-1" },
  "node-warmup": { StartTask: "ecs-jobs-prod-eu-west-1-launcher-2" },
  "legacy-import": { RunTask: "ecs-jobs-prod-eu-west-1-launcher-1" },
};

function setup(env: Record<string, string | undefined> = { [LAUNCHER_ROLE_ARN_PREFIX_ENV]: PREFIX }) {
  const providers: CredentialProvider[] = [];
  const launchers = launchersFromEnv(
    ROLES,
    { ...env, AWS_LAMBDA_FUNCTION_NAME: "ecs-jobs-prod-schedule" },
    {
      sts: { region: "eu-west-1" },
      ecsClient: (credentials) => {
        providers.push(credentials);
        return new ECSClient({ region: "eu-west-1", credentials });
      },
    },
  );
  return { launchers, providers };
}

describe("launcher roles at run time", () => {
  it("gives no launchers, and so the function's own client, when the catalogue names none", () => {
    expect(
      launchersFromEnv(undefined, {}, { sts: { region: "eu-west-1" }, ecsClient: () => new ECSClient() }),
    ).toBe(undefined);
    expect(launchersFromEnv({}, {}, { sts: { region: "eu-west-1" }, ecsClient: () => new ECSClient() })).toBe(
      undefined,
    );
    const own = new ECSClient({ region: "eu-west-1" });
    expect(launchClient({ clients: { ecs: own } }, "nightly-report", "RunTask")).toBe(own);
  });

  it("refuses a catalogue that names launcher roles on a function without their ARN prefix", () => {
    expect(() => setup({})).toThrow(LauncherCredentialsError);
    expect(() => setup({})).toThrow(LAUNCHER_ROLE_ARN_PREFIX_ENV);
  });

  it("keeps one client per launcher role, and the function's own for an action or job without one", () => {
    const { launchers, providers } = setup();
    const own = new ECSClient({ region: "eu-west-1" });
    const deps = { clients: { ecs: own }, ...(launchers && { launchers }) };
    const report = launchClient(deps, "nightly-report", "RunTask");
    expect(report).not.toBe(own);
    expect(launchClient(deps, "legacy-import", "RunTask")).toBe(report);
    expect(launchClient(deps, "node-warmup", "StartTask")).not.toBe(report);
    expect(launchClient(deps, "node-warmup", "RunTask")).toBe(own);
    expect(launchClient(deps, "customer-export", "RunTask")).toBe(own);
    expect(providers).toHaveLength(2);
  });

  it("assumes the job's launcher role by its ARN, named for the function, and hands back its credentials", async () => {
    const expiration = new Date("2026-12-05T13:00:00Z");
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAEXAMPLE",
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: expiration,
      },
    });
    const { launchers, providers } = setup();
    launchers?.clientFor("nightly-report", "RunTask");
    const credentials = await (providers[0] as CredentialProvider)();
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: `${PREFIX}ecs-jobs-prod-eu-west-1-launcher-1`,
        RoleSessionName: "ecs-jobs-prod-schedule",
      },
    ]);
    expect(credentials).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration,
    });
  });

  it("says which role when STS answers without credentials, and lets STS's own refusal through", async () => {
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce({})
      .rejectsOnce(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));
    const { launchers, providers } = setup();
    launchers?.clientFor("node-warmup", "StartTask");
    const provider = providers[0] as CredentialProvider;
    await expect(provider()).rejects.toThrow(
      /ecs-jobs-prod-eu-west-1-launcher-2 answered without credentials/,
    );
    await expect(provider()).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("makes STS session names of what a function is called", () => {
    expect(sessionNameOf("ecs-jobs-prod-schedule")).toBe("ecs-jobs-prod-schedule");
    expect(sessionNameOf("odd name/with:chars")).toBe("odd-name-with-chars");
    expect(sessionNameOf("x")).toBe("x-");
    expect(sessionNameOf("x".repeat(100))).toHaveLength(64);
  });
});
