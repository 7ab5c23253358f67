/**
 * How a front end names what a user can change where they are. Input problems and remedies both
 * speak through it, so each front end names an input one way: the action "input 'timeout'", the
 * CLI "--timeout"; and only the CLI offers a command the user can run.
 */
export interface Words {
  /** An input as the user sets it: "input 'timeout'" or "--timeout". */
  input(name: string): string
  /** What to do to check the credentials on their own. */
  checkCredentials: string
}

/** The action's words: inputs of the workflow step. */
export const ACTION_WORDS: Words = {
  input: name => `input '${name}'`,
  checkCredentials: 'Check the secrets behind the credential inputs (jira-build-result check tells which user they act as).'
}

/** Values shown in a message at most; the rest are counted. */
export const LISTED_VALUES = 20

/** The first 20 items joined, then "(+59,980 more)": a list in a message never grows with Jira's answer. */
export function shownList(items: readonly string[], max = LISTED_VALUES): string {
  const shown = items.slice(0, max).join(', ')
  return items.length > max ? `${shown} (+${(items.length - max).toLocaleString('en-US')} more)` : shown
}
