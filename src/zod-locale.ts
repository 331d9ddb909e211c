/**
 * The Lambda-path schemas use `zod/mini` (tree-shakable, a fraction of classic zod's size and load time).
 * Mini ships no default locale: without this, its issues would read "Invalid input" where classic zod —
 * which the spec schema, and so the CLI and tests, load — says "Invalid input: expected string, received
 * number". Importing this module first keeps every message the same as before the switch.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());
