/** The template checker the package tests rely on: it must see what CloudFormation would reject. */
import { describe, expect, it } from "vitest";
import { cfnSpecProblems } from "./cfn-spec.ts";

const table = (properties: Record<string, unknown>) => ({
  Resources: { Runs: { Type: "AWS::DynamoDB::Table", Properties: properties } },
});
const KEYS = {
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
  BillingMode: "PAY_PER_REQUEST",
};

describe("cfnSpecProblems", () => {
  it("accepts a valid resource, intrinsic functions standing for any value", () => {
    expect(
      cfnSpecProblems(
        table({
          ...KEYS,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own Fn::Sub syntax
          TableName: { "Fn::Sub": "${AWS::StackName}-runs" },
          TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
          Tags: [{ Key: "team", Value: { Ref: "Team" } }],
        }),
      ),
    ).toEqual([]);
  });

  it("names an unknown property, a missing required one, and a wrong shape, with the path", () => {
    const problems = cfnSpecProblems(
      table({
        KeySchema: KEYS.KeySchema,
        AttributeDefinitions: { AttributeName: "pk", AttributeType: "S" },
        BillingMode: "PAY_PER_REQUEST",
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enable: true },
        GlobalSecondaryIndexes: [
          { IndexName: "byJob", KeySchema: [], Projection: { ProjectionType: ["ALL"] } },
        ],
        PointInTimeRecoveryEnabled: true,
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Runs \(AWS::DynamoDB::Table\)\.AttributeDefinitions: expected a list/),
        expect.stringMatching(/TimeToLiveSpecification\.Enabled: required$/),
        expect.stringMatching(/TimeToLiveSpecification\.Enable: not a property of this type$/),
        expect.stringMatching(/GlobalSecondaryIndexes\[0\]\.Projection\.ProjectionType: expected a string/),
        expect.stringMatching(/\.PointInTimeRecoveryEnabled: not a property of this type$/),
      ]),
    );
  });

  it("names a resource type CloudFormation does not have; custom resources pass", () => {
    expect(
      cfnSpecProblems({
        Resources: {
          Queue: { Type: "AWS::SQS::Queues", Properties: {} },
          Reconcile: { Type: "Custom::ScheduleReconciler", Properties: { Anything: 1 } },
        },
      }),
    ).toEqual(["Queue: AWS::SQS::Queues is not a CloudFormation resource type"]);
  });

  it("checks numbers, booleans and maps", () => {
    const problems = cfnSpecProblems({
      Resources: {
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Code: { ZipFile: "exports.handler = async () => {}" },
            Role: "arn:aws:iam::111122223333:role/r",
            MemorySize: "a lot",
            Timeout: "30",
            Environment: { Variables: { A: "1", B: ["not", "a", "string"] } },
          },
        },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(/\.MemorySize: expected a integer/),
      expect.stringMatching(/\.Environment\.Variables\.B: expected a string/),
    ]);
  });
});
