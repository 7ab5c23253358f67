/**
 * The build as a remote link on the issue: which link it is (its globalId, stable per workflow
 * or job, so the next run updates it instead of adding one) and its icons. Pure: the edge says
 * which CI this is and where.
 */
import { createHash } from 'node:crypto'

/** The CI a run belongs to, as the edge reads it from its environment. */
export interface CiRun {
  /** Shown as the link's application: "GitHub Actions" or "Jenkins". */
  name: string
  /**
   * What stays the same from one run to the next and tells this pipeline from others: the
   * repository and workflow on GitHub, the job on Jenkins. Undefined when the edge cannot tell.
   */
  scope?: string
  /** The application's 16×16 icon. */
  icon?: string
  /** A 16×16 icon for each build status (lower case; Jenkins results mapped to GitHub's). */
  statusIcons?: Partial<Record<string, string>>
}

/** Jira takes a globalId of at most 255 characters. */
const MAX_GLOBAL_ID = 255
const PREFIX = 'jira-build-result:'

/** The globalId of a pipeline's link: its scope as written, or a hash of it when too long. */
export function globalIdOf(scope: string): string {
  const id = `${PREFIX}${scope}`
  return id.length <= MAX_GLOBAL_ID ? id : `${PREFIX}sha256:${createHash('sha256').update(scope).digest('hex')}`
}

/** The CI of a GitHub Actions run: one link per repository and workflow (its file when known). */
export function githubRun(env: NodeJS.ProcessEnv): CiRun {
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  const repository = env.GITHUB_REPOSITORY
  // GITHUB_WORKFLOW_REF is owner/repo/.github/workflows/ci.yml@refs/heads/main: the file stays
  // when the workflow is renamed, and the ref is not part of which pipeline this is.
  const workflowFile = env.GITHUB_WORKFLOW_REF?.replace(/@.*$/, '').split('/').slice(2).join('/')
  const workflow = workflowFile || env.GITHUB_WORKFLOW
  const assets = 'https://github.githubassets.com/favicons'
  return {
    name: 'GitHub Actions',
    scope: repository && workflow ? `${server}/${repository}/${workflow}` : undefined,
    icon: `${assets}/favicon.png`,
    statusIcons: { success: `${assets}/favicon-success.png`, failure: `${assets}/favicon-failure.png`, cancelled: `${assets}/favicon-pending.png` }
  }
}

/** The CI of a Jenkins build: one link per job (JOB_URL, or the job's name under JENKINS_URL). */
export function jenkinsRun(env: NodeJS.ProcessEnv): CiRun {
  const root = env.JENKINS_URL?.replace(/\/?$/, '/')
  const scope = env.JOB_URL || (env.JOB_NAME ? `${root ?? 'jenkins:'}job/${env.JOB_NAME}` : undefined)
  const image = (name: string): string | undefined => (root ? `${root}images/16x16/${name}.png` : undefined)
  return {
    name: 'Jenkins',
    scope,
    icon: root ? `${root}favicon.ico` : undefined,
    statusIcons: { success: image('blue'), failure: image('red'), unstable: image('yellow'), cancelled: image('aborted') }
  }
}
