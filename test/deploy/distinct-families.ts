/**
 * Gives every generated job its own task definition family (generate-jobs.ts shares ~150 between 1,000 jobs,
 * as teams do): the worst case for the IAM grants, which grow with distinct families. The reference keeps its
 * form (bare family, family:revision or full ARN); only the family changes, to `app-0042` (the generator's own
 * naming, one digit longer) or, with `familyChars`, a longer name of that many characters.
 */
export function distinctFamilies(
  files: Record<string, string>,
  familyChars = 8,
  familyName: (n: number) => string = (n) => `app-${String(n).padStart(familyChars - 4, "0")}`,
): Record<string, string> {
  let n = 0;
  return Object.fromEntries(
    Object.entries(files).map(([name, text]) => {
      if (!/^\s*taskDefinition: /m.test(text)) return [name, text];
      const family = familyName(n++);
      return [
        name,
        text.replace(
          /^(\s*taskDefinition: (?:arn:[^\s]*:task-definition\/)?)[A-Za-z0-9_-]+/m,
          (_m, head: string) => `${head}${family}`,
        ),
      ];
    }),
  );
}
