/**
 * How a front end names what a user can change where they are. Remedies speak through it, so
 * the action says "the timeout input" and the CLI "--timeout", and only the CLI offers a
 * command the user can run.
 */
export interface Words {
  /** An input as the user sets it: "the timeout input" or "--timeout". */
  input(name: string): string
  /** What to do to check the credentials on their own. */
  checkCredentials: string
}

/** The action's words: inputs of the workflow step. */
export const ACTION_WORDS: Words = {
  input: name => `the ${name} input`,
  checkCredentials: 'Check the secrets behind the credential inputs (jira-build-result check tells which user they act as).'
}
