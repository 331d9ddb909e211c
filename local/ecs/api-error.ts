/**
 * An error the emulator answers with, shaped as the SDK's ServiceException is on the client side: `name`
 * (the exception, the `__type` of the JSON error body), `$fault`, `$metadata.httpStatusCode` and `message`.
 * The emulator's own: the product meets it only as the SDK's ECSServiceException rebuilt from the wire, and
 * classifies it as it does a real ECS answer.
 */
export type EcsErrorType =
  | "ClientException"
  | "InvalidParameterException"
  | "ClusterNotFoundException"
  | "ConflictException"
  | "SerializationException"
  | "UnknownOperationException"
  | "ThrottlingException"
  | "ServerException"
  | "AccessDeniedException";

export class EcsApiError extends Error {
  override readonly name: EcsErrorType;
  readonly $fault: "client" | "server";
  readonly $metadata: { httpStatusCode: number };
  /** The request member at fault, for whoever reads the emulator's code; ECS does not send it. */
  readonly field: string | undefined;
  constructor(name: EcsErrorType, message: string, options: { status?: number; field?: string } = {}) {
    super(message);
    this.name = name;
    const status = options.status ?? (name === "ServerException" ? 500 : 400);
    this.$fault = status >= 500 ? "server" : "client";
    this.$metadata = { httpStatusCode: status };
    this.field = options.field;
  }
}

export const clientError = (message: string) => new EcsApiError("ClientException", message);
export const invalidParameter = (message: string, field?: string) =>
  new EcsApiError("InvalidParameterException", message, field === undefined ? {} : { field });
export const clusterNotFound = () => new EcsApiError("ClusterNotFoundException", "Cluster not found.");
