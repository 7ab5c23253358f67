/**
 * The issue endpoints a run uses, with the client: the field list, one issue with its edit
 * metadata, the edit, the remote link and the comment. Each write says whether it may be sent
 * again, and a dry run prints it instead of sending it.
 */
import type { JiraClient, RetryRule } from './client.js'
import { FIELD_LIST, issueShape, type FieldDefinition, type IssueWithEditMeta } from './fields.js'

export type { IssueWithEditMeta }

const issuePath = (issueKey: string): string => `/rest/api/2/issue/${encodeURIComponent(issueKey)}`

/** Every field Jira knows; names are global, so one list serves a whole run. */
export async function listFields(client: JiraClient): Promise<FieldDefinition[]> {
  return (await client.json('GET', '/rest/api/2/field', {}, FIELD_LIST)) ?? []
}

/** The current values of these fields and the edit screen's metadata, in one GET. */
export async function readIssue(client: JiraClient, issueKey: string, fieldIds: string[]): Promise<IssueWithEditMeta> {
  return (await client.json('GET', issuePath(issueKey), { query: { fields: fieldIds.join(','), expand: 'editmeta' }, issueKey }, issueShape(fieldIds))) ?? {}
}

/** The body of an edit: values set whole, and Jira's update verbs for items of lists. */
export interface IssueEdit {
  fields?: Record<string, unknown>
  update?: Record<string, Array<Partial<Record<'add' | 'remove' | 'set', unknown>>>>
}

/** A remote issue link as Jira takes it; sent whole every time, since fields left out are cleared. */
export interface RemoteLink {
  globalId: string
  application: { type: string; name: string }
  relationship: string
  object: {
    url: string
    title: string
    icon?: { url16x16: string; title: string }
    status?: { resolved: boolean; icon?: { url16x16: string; title: string } }
  }
}

/** A request that writes: sent, or printed by a dry run. */
export interface WriteRequest {
  method: 'PUT' | 'POST'
  path: string
  query?: Record<string, string>
  json: unknown
  retry: RetryRule
  issueKey: string
}

/** The edit of an issue: idempotent (the same values and verbs give the same issue). */
export function editRequest(issueKey: string, edit: IssueEdit, notifyUsers: boolean): WriteRequest {
  return { method: 'PUT', path: issuePath(issueKey), query: notifyUsers ? undefined : { notifyUsers: 'false' }, json: edit, retry: 'idempotent', issueKey }
}

/** The upsert of a remote link: a link with the same globalId is updated, not added, so it is idempotent. */
export function remoteLinkRequest(issueKey: string, link: RemoteLink): WriteRequest {
  return { method: 'POST', path: `${issuePath(issueKey)}/remotelink`, json: link, retry: 'idempotent', issueKey }
}

/** A new comment: not idempotent, a second arrival posts it twice. */
export function commentRequest(issueKey: string, body: string): WriteRequest {
  return { method: 'POST', path: `${issuePath(issueKey)}/comment`, json: { body }, retry: 'never-after-sent', issueKey }
}

/** Sends a write and returns Jira's status (201 created, 200 updated, 204 edited). Throws the diagnosed JiraError. */
export async function sendWrite(client: JiraClient, request: WriteRequest): Promise<number> {
  const { method, path, query, json, retry, issueKey } = request
  const response = await client.answer(method, path, { query, json, retry, issueKey })
  return response.status
}

/** How a dry run shows a write: method and URL, headers (Authorization redacted), body. */
export function describeWrite(client: JiraClient, request: WriteRequest): string {
  return [
    `[dry-run] ${request.method} ${client.url(request.path, request.query)}`,
    'Content-Type: application/json',
    'Authorization: <redacted>',
    JSON.stringify(request.json)
  ].join('\n')
}
