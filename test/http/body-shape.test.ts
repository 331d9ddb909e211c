/** The run request body is an object or nothing: `null` is refused like `[]` or `1` (found by fuzzing). */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.ts";
import { parseJsonBody } from "../../src/http/body.ts";
import { parseRunRequest } from "../../src/http/run-request.ts";

const parse = (text: string | undefined) => parseRunRequest(parseJsonBody(text));

describe("the shape of a run request body", () => {
  it("takes no body, an empty one or {} as an empty request", () => {
    for (const text of [undefined, "", "  ", "{}"]) expect(parse(text)).toEqual({});
  });

  it.each(["null", "[]", "1", '"x"', "true", "[{}]"])("refuses %s, naming the body", (text) => {
    let error: unknown;
    try {
      parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe("body");
  });
});
