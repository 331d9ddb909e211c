/**
 * Imported first by every benchmark that loads a handler: the handlers' Powertools logger reads its level at
 * construction, and at INFO it would print a JSON line per event into the benchmark's output.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
