/** Launcher roles as the catalogue carries them (deploy/launchers.ts builds them, src/launch uses them). */
export type LaunchAction = "RunTask" | "StartTask";

/**
 * The launcher role (a role name of the deploying account) each job's RunTask / StartTask goes through, when
 * the deployment has launcher roles (deploy/launchers.ts); a job or action not listed launches with the
 * function's own role.
 */
export type LauncherRoles = Record<string, Partial<Record<LaunchAction, string>>>;
