// Every engine error carries a stable code; adapters map codes to statuses (HTTP) or exit codes (CLI)
// in one table each, and nothing switches on message text.
export type EngineErrorCode =
  | 'STAGE_REJECTS_EVENT'
  | 'CONDITION_NOT_MET'
  | 'UNKNOWN_TASK'
  | 'TASK_NOT_OPEN'
  | 'FORM_INVALID'
  | 'EVENT_DATA_INVALID'
  | 'UNKNOWN_ANCHOR'
  | 'UNKNOWN_LIST'
  | 'CHILD_PROCESS_MISSING'
  | 'BAD_DATE'
  | 'INSTANCE_NOT_RUNNING'
  | 'NEEDS_MIGRATION'
  | 'REV_CONFLICT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'INVALID_ARGUMENT'
  | 'NOT_APPLICABLE'
  | 'UNIT_CLOSED'
  | 'RESHAPE_REFUSED'
  | 'DEFINITION_INVALID'
  | 'DEFINITION_EXISTS'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'LOGIN_TAKEN'
  | 'FILE_TYPE_REFUSED'
  | 'FILE_TOO_LARGE'
  | 'FILE_LIMIT_REACHED';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
