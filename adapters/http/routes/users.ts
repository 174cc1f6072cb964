// User accounts (issue 14): administrators list, create, edit, deactivate and reset the accounts of
// their subtree, grant roles on the units they administer, and create one staff account per school
// at once (the one-time passwords answered once, as JSON or as an XLSX file to hand out). Every rule
// is the application's (engine/application/people.ts, policy.ts); a route validates and calls it.
import { ACCESS_ROLES } from '../../../engine/access.ts';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../../engine/application/people.ts';
import { exportFile } from './exports.ts';
import { ID, route, TEXT } from '../route.ts';

const ROLE = { enum: [...ACCESS_ROLES] } as const;
const REASON = TEXT(500);
const OPTIONAL_TEXT = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const PASSWORD = { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_BYTES } as const;
const GRANT = { type: 'object', additionalProperties: false, required: ['role', 'unitId'], properties: { role: ROLE, unitId: ID, reason: REASON } } as const;
const REASON_ONLY = { type: 'object', additionalProperties: false, properties: { reason: REASON } } as const;

export const userRoutes = [
  route({
    method: 'get',
    path: '/api/v1/users',
    answer: 'users',
    summary:
      'The accounts you manage (home unit in your administrator scope), by login: q matches login, name, e-mail or phone (case and Vietnamese diacritics ignored); unitId (its subtree), role, active filter; after (the last login of the page before) pages; total counts every match',
    tag: 'users',
    errors: [404],
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        q: { type: 'string', maxLength: 100 },
        unitId: ID,
        role: ROLE,
        active: { enum: ['true', 'false'] },
        limit: { type: 'integer', minimum: 1, maximum: 500 },
        after: { type: 'string', maxLength: 64 },
      },
    },
    handle: ({ services, principal, query }) =>
      services.app.people.list(principal, {
        ...(query.q !== undefined ? { q: query.q } : {}),
        ...(query.unitId ? { unitId: query.unitId } : {}),
        ...(query.role ? { role: query.role } : {}),
        ...(query.active ? { active: query.active === 'true' } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
        ...(query.after ? { after: query.after } : {}),
      }),
  }),
  route({
    method: 'post',
    path: '/api/v1/users',
    answer: 'userWithPassword',
    summary: `Create an account: login, full name, home unit, grants (on units you administer); password (${PASSWORD_MIN_LENGTH}+ characters) or, without one, a one-time password answered once. Either must be changed at the first sign-in`,
    tag: 'users',
    status: 201,
    errors: [404, 409],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['login', 'name'],
      properties: {
        login: TEXT(64),
        name: TEXT(200),
        email: { type: 'string', maxLength: 200 },
        phone: { type: 'string', maxLength: 50 },
        unitId: ID,
        grants: {
          type: 'array',
          maxItems: 50,
          items: { type: 'object', additionalProperties: false, required: ['role', 'unitId'], properties: { role: ROLE, unitId: ID } },
        },
        password: PASSWORD,
        reason: REASON,
      },
    },
    // No Idempotency-Key replay here: the answer may carry a one-time password, which is never stored
    // (a repeated request answers 409 LOGIN_TAKEN instead).
    handle: ({ services, principal, body }) => services.app.people.create(principal, body),
  }),
  route({
    method: 'post',
    path: '/api/v1/users/bulk',
    answer: 'bulkAccounts',
    summary:
      'One staff account per school under unitId (or for unitIds): login from the unit code, name "Cán bộ <unit>", a staff grant on the school, a one-time password each (answered once; ?format=xlsx answers them as a file to hand out). Schools with a staff account are skipped unless includeStaffed; dryRun lists what it would create',
    tag: 'users',
    errors: [404, 409],
    query: { type: 'object', additionalProperties: false, properties: { format: { enum: ['json', 'xlsx'] } } },
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        unitId: ID,
        unitIds: { type: 'array', minItems: 1, maxItems: 5000, items: ID },
        kinds: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', maxLength: 40 } },
        includeStaffed: { type: 'boolean' },
        nameTemplate: TEXT(200),
        dryRun: { type: 'boolean' },
        reason: REASON,
      },
    },
    async handle({ services, principal, body, query }) {
      // No Idempotency-Key replay: the passwords are never stored (a repeat skips the schools done).
      const report = await services.app.people.bulkCreate(principal, body);
      if (query.format !== 'xlsx') return report;
      return exportFile(report.dryRun ? 'tai-khoan-du-kien' : 'tai-khoan-ban-dau', 'xlsx', {
        sheet: 'Tài khoản',
        columns: [
          { key: 'unitName', title: 'Đơn vị' },
          { key: 'unitId', title: 'Mã đơn vị' },
          { key: 'login', title: 'Tên đăng nhập' },
          { key: 'name', title: 'Họ tên' },
          { key: 'password', title: 'Mật khẩu ban đầu' },
        ],
        rows: report.accounts.map((a) => ({
          unitName: a.unitName,
          unitId: a.unitId,
          login: a.login,
          name: a.name,
          password: (a as { oneTimePassword?: string }).oneTimePassword ?? null,
        })),
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/users/:id',
    answer: 'user',
    summary: 'One account you manage, with its grants and their units (any other answers 404, like a missing one)',
    tag: 'users',
    errors: [404],
    handle: ({ services, principal, params }) => services.app.people.get(principal, params.id!),
  }),
  route({
    method: 'patch',
    path: '/api/v1/users/:id',
    answer: 'user',
    summary: 'Change the full name, e-mail, phone or home unit (one you administer) of an account you manage; null clears e-mail and phone',
    tag: 'users',
    errors: [404],
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: TEXT(200),
        email: OPTIONAL_TEXT(200),
        phone: OPTIONAL_TEXT(50),
        unitId: { type: ['string', 'null'], minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' },
        reason: REASON,
      },
    },
    handle: ({ services, principal, params, body }) => services.app.people.update(principal, params.id!, body),
  }),
  route({
    method: 'post',
    path: '/api/v1/users/:id/deactivate',
    answer: 'user',
    summary: 'Deactivate an account (not your own): it cannot sign in; its sessions and tokens end',
    tag: 'users',
    errors: [404],
    body: REASON_ONLY,
    handle: ({ services, principal, params, body }) => services.app.people.deactivate(principal, params.id!, body.reason),
  }),
  route({
    method: 'post',
    path: '/api/v1/users/:id/activate',
    answer: 'user',
    summary: 'Let a deactivated account sign in again',
    tag: 'users',
    errors: [404],
    body: REASON_ONLY,
    handle: ({ services, principal, params, body }) => services.app.people.activate(principal, params.id!, body.reason),
  }),
  route({
    method: 'post',
    path: '/api/v1/users/:id/password-reset',
    answer: 'userWithPassword',
    summary:
      'Reset the password: the one given, or a one-time password answered once; it must be changed at the next sign-in, and every session and token of the account ends',
    tag: 'users',
    errors: [404],
    body: { type: 'object', additionalProperties: false, properties: { password: PASSWORD, reason: REASON } },
    // No Idempotency-Key replay: a one-time password is never stored; a repeat resets it again.
    handle: ({ services, principal, params, body }) => services.app.people.resetPassword(principal, params.id!, body),
  }),
  route({
    method: 'post',
    path: '/api/v1/users/:id/grants',
    answer: 'user',
    summary: 'Grant a role on a unit you administer (403 naming the unit when you see it but do not administer it; 404 outside your units)',
    tag: 'users',
    errors: [404],
    body: GRANT,
    handle: ({ services, principal, params, body }) => services.app.people.addGrant(principal, params.id!, body),
  }),
  route({
    method: 'delete',
    path: '/api/v1/users/:id/grants',
    answer: 'user',
    summary: 'Remove a role on a unit you administer (never your own last administrator grant); role and unitId in the query',
    tag: 'users',
    errors: [404],
    query: { type: 'object', additionalProperties: false, required: ['role', 'unitId'], properties: { role: ROLE, unitId: ID, reason: REASON } },
    handle: ({ services, principal, params, query }) => services.app.people.removeGrant(principal, params.id!, query),
  }),
];
