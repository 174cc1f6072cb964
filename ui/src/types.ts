// The API's shapes, generated from its answer schemas (adapters/http/answers.ts →
// api.generated.ts by `npm run gen:api-types`): the names the pages use, and the few helpers of
// their own. Times are epoch milliseconds.
import type * as Api from './api.generated.ts';
export type { EnumTitles, Form, FormField } from '../../engine/definition/types.generated.ts';

export type Text = Api.Text;
/** Some fields may come as a plain string (an id, or a title the server already chose a language for). */
export type MaybeText = Text | string;

export type User = Api.User;
export type Grant = User['grants'][number];
export type Role = Grant['role'];
export type Me = Api.Me;
export type OrgUnit = Api.OrgUnit;
export type InstanceSummary = Api.InstanceSummary;
export type MyTask = Api.TaskRow;
export type TaskDetail = Api.TaskDetail;
export type Escalation = Api.EscalationRow;
export type Timeline = Api.Timeline;
export type FanOutList = Api.FanOutList;
/** An event a stage accepts, with its title and form. */
export type Accepted = Timeline['stages'][number]['accepts'][number];
export type InstanceListItem = Api.InstanceRow;
export type BoardRow = Api.BoardCounts;
export type Board = Api.Board;
export type Diagnostic = Api.Diagnostic;
export type Validation = Api.Validation;
export type DefinitionListItem = Api.DefinitionList['items'][number];
export type DefinitionVersion = Api.DefinitionVersion;
export type Impact = Api.Impact;
export type Campaign = Api.CampaignRow;
export type CampaignDetail = Api.CampaignDetail;
export type InboxItem = Api.InboxItem;
export type UnitRow = Api.OrgUnitWithChildren;
export type UnitDetail = Api.OrgUnitDetail;
export type ReshapeReport = Api.ReshapeReport;
export type ReshapeProblem = ReshapeReport['problems'][number];
export type AuditLog = Api.AuditLog;
export type AuditEntry = AuditLog['items'][number];
export type OidcSignIn = Api.OidcSignIn;

export type UserRow = Api.UserRow;
export type UserDetail = Api.UserDetail;
export type UserList = Api.UserList;
export type UserWithPassword = Api.UserWithPassword;
export type BulkAccounts = Api.BulkAccounts;

export type ImportAnswer = Api.UnitImport;
export type ImportProblem = Api.UnitFileProblem;
export type ImportSummary = Api.ImportSummary;
