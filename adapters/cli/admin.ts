// `tiendo admin create`: the first administrator of a province (or any account) from the server's
// console, on the configured store (TIENDO_DATA_DIR's SQLite file, or DATABASE_URL), migrated first.
// It goes through the application's People.create as the system, so the account is made, granted
// and recorded exactly as from the web UI. The password is read from standard input when that is not
// a terminal (one line: `echo "$PW" | tiendo admin create …`); otherwise a one-time password is
// printed once. Either must be changed at the first sign-in.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { People } from '../../engine/application/people.ts';
import { systemPrincipal } from '../../engine/application/policy.ts';
import type { AccessRole } from '../../engine/access.ts';
import { EngineError } from '../../engine/errors.ts';
import { loadConfig } from '../app.ts';
import { bcryptPasswords } from '../passwords.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { KnexAccounts } from '../store/account-store.ts';
import { KnexAudit } from '../store/audit-store.ts';
import { lockSqliteFile, StoreInUseError } from '../store/sqlite-lock.ts';
import type { Io } from './main.ts';
import { UsageError } from './main.ts';
import { parseCommandArgs } from './validate.ts';

/** The role names the command accepts, and the grant each stands for. */
const ROLES: Record<string, AccessRole> = { administrator: 'admin', admin: 'admin', supervisor: 'supervisor', staff: 'staff' };
/** What the command says, Vietnamese first (as `tiendo units import`); `--lang en` for English. */
const SAYS = {
  vi: {
    role: { admin: 'quản trị', supervisor: 'giám sát', staff: 'cán bộ' } as Record<AccessRole, string>,
    held: (file: string) =>
      `${file} đang được một máy chủ Tiến độ dùng, và SQLite chỉ cho một tiến trình. Dừng máy chủ (Ctrl-C, hoặc dừng dịch vụ) rồi chạy lại lệnh này, ` +
      `hoặc đăng nhập giao diện web bằng tài khoản quản trị và tạo tài khoản ở trang Người dùng.`,
    noUnit: (id: string) =>
      `không có đơn vị "${id}" trong kho dữ liệu. Hãy nhập danh sách đơn vị trước (tiendo units import TỆP — bảng tính các đơn vị với mã và mã đơn vị cấp trên), rồi tạo tài khoản trên một đơn vị trong đó.`,
    emptyPassword: 'đầu vào chuẩn không có mật khẩu; hãy truyền một dòng (hoặc chạy ở cửa sổ lệnh để nhận mật khẩu dùng một lần)',
    created: (login: string, name: string, role: string, unit: string, id: string) => `Đã tạo ${login} (${name}), ${role} của ${unit} (${id}).`,
    oneTime: (pw: string) => `Mật khẩu dùng một lần (chỉ hiện lúc này): ${pw}\nPhải đổi ở lần đăng nhập đầu tiên.`,
    stdinPassword: 'Mật khẩu từ đầu vào chuẩn phải đổi ở lần đăng nhập đầu tiên.',
  },
  en: {
    role: { admin: 'administrator', supervisor: 'supervisor', staff: 'staff' } as Record<AccessRole, string>,
    held: (file: string) =>
      `${file} is held by a running Tiến độ server, and SQLite takes one process. ` +
      `Stop the server (Ctrl-C, or stop its service) and run this again, or sign in to the web UI as an administrator ` +
      `and create the account there (Người dùng → Thêm).`,
    noUnit: (id: string) =>
      `no unit "${id}" in this store. Import the province's units first (tiendo units import FILE, ` +
      `a spreadsheet of units with their codes and parents), then create the account on one of them.`,
    emptyPassword: 'standard input gave an empty password; pipe one line (or run it at a terminal for a one-time password)',
    created: (login: string, name: string, role: string, unit: string, id: string) => `Created ${login} (${name}), ${role} of ${unit} (${id}).`,
    oneTime: (pw: string) => `One-time password (shown only now): ${pw}\nIt must be changed at the first sign-in.`,
    stdinPassword: 'The password from standard input must be changed at the first sign-in.',
  },
};

export async function adminCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(sub ? `unknown admin command "${sub}"; the admin command is: create` : 'give an admin command: create');
  const { values, positionals } = parseCommandArgs(rest, {
    login: { type: 'string' },
    name: { type: 'string' },
    unit: { type: 'string' },
    role: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    lang: { type: 'string' },
  });
  if (values.lang !== undefined && values.lang !== 'vi' && values.lang !== 'en') throw new UsageError(`--lang is vi or en, not "${values.lang}"`);
  const say = SAYS[values.lang === 'en' ? 'en' : 'vi'];
  if (positionals.length) throw new UsageError(`unexpected ${positionals.map((p) => `"${p}"`).join(' ')}`);
  for (const need of ['login', 'name', 'unit'] as const) if (!values[need]) throw new UsageError(`admin create needs --${need}`);
  const role = ROLES[(values.role ?? 'administrator').toLowerCase()];
  if (!role) throw new UsageError(`--role "${values.role}" is not a role; roles are administrator (or admin), supervisor, staff`);

  const env = io.env ?? process.env;
  const config = loadConfig(env);
  const sqliteFile = config.databaseUrl ? undefined : join(config.dataDir ?? './data', 'tiendo.sqlite');
  let unlock: (() => void) | undefined;
  if (sqliteFile) {
    try {
      mkdirSync(config.dataDir ?? './data', { recursive: true });
      unlock = lockSqliteFile(sqliteFile, 'tiendo admin create');
    } catch (e) {
      if (!(e instanceof StoreInUseError)) throw e;
      io.err(`tiendo admin create: ${say.held(sqliteFile)}\n(${e.message})\n`);
      return 1;
    }
  }
  let runtime: Runtime | undefined;
  try {
    runtime = await openRuntime({
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      ...(config.pgSchema ? { pgSchema: config.pgSchema } : {}),
      ...(sqliteFile ? { sqliteFile } : {}),
    });
    const unit = await runtime.store.getUnit(values.unit!);
    if (!unit) {
      io.err(`tiendo admin create: ${say.noUnit(values.unit!)}\n`);
      return 1;
    }
    const stdin = io.stdin ?? { isTTY: Boolean(process.stdin.isTTY), readLine: () => readLine(process.stdin) };
    const password = stdin.isTTY ? undefined : (await stdin.readLine()).replace(/\r?\n$/, '');
    if (password !== undefined && !password) {
      io.err(`tiendo admin create: ${say.emptyPassword}\n`);
      return 1;
    }
    const people = new People({
      accounts: new KnexAccounts(runtime.db),
      audit: new KnexAudit(runtime.db),
      store: runtime.store,
      passwords: bcryptPasswords(config.bcryptCost ?? 10),
      clock: runtime.engine.clock,
    });
    const { user, oneTimePassword } = await people.create(systemPrincipal(), {
      login: values.login!,
      name: values.name!,
      unitId: unit.id,
      grants: [{ role, unitId: unit.id }],
      ...(values.email ? { email: values.email } : {}),
      ...(values.phone ? { phone: values.phone } : {}),
      ...(password !== undefined ? { password } : {}),
      reason: 'tiendo admin create',
    });
    io.out(`${say.created(user.login, user.name, say.role[role], unit.name, unit.id)}\n`);
    io.out(`${oneTimePassword ? say.oneTime(oneTimePassword) : say.stdinPassword}\n`);
    return 0;
  } catch (e) {
    if (e instanceof EngineError) {
      const taken =
        e.code === 'LOGIN_TAKEN' && values.lang !== 'en' ? `tên đăng nhập "${String(e.details.login ?? values.login)}" đã có người dùng` : undefined;
      io.err(`tiendo admin create: ${taken ?? e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await runtime?.close();
    unlock?.();
  }
}

/** The first line of a stream (all of it when it has no newline). */
function readLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', done);
      stream.removeListener('error', reject);
      if ('pause' in stream) stream.pause();
      resolve(text.split('\n')[0]!);
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n')) done();
    };
    stream.on('data', onData);
    stream.once('end', done);
    stream.once('error', reject);
  });
}
