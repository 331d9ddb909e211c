/** The emulator's owner (the local stack, a test) named a task or container instance the emulator does not hold. */
export class EmulatorNotFoundError extends Error {
  override readonly name = "EmulatorNotFoundError";
  constructor(what: string) {
    super(`${what} not found`);
  }
}
