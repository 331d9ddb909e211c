/** An error the emulator answers with, in ECS's own terms (exception name, HTTP status, message). */
import { EcsJobsError } from "../../src/errors.ts";

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

export class EcsApiError extends EcsJobsError {
  /** The `__type` of the JSON error body: the exception the SDK raises. */
  readonly type: EcsErrorType;
  readonly status: number;
  constructor(type: EcsErrorType, message: string, options: { status?: number; field?: string } = {}) {
    super(type, message, options.field === undefined ? {} : { field: options.field });
    this.type = type;
    this.status = options.status ?? (type === "ServerException" ? 500 : 400);
  }
}

export const clientError = (message: string) => new EcsApiError("ClientException", message);
export const invalidParameter = (message: string, field?: string) =>
  new EcsApiError("InvalidParameterException", message, field === undefined ? {} : { field });
export const clusterNotFound = () => new EcsApiError("ClusterNotFoundException", "Cluster not found.");
