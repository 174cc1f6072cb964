// The demo logins: one per kind of person who uses Tiến độ (the Sở's administrator and supervisor, a
// Phòng's supervisor, administrator and officer, and staff of three schools), all with one password,
// so a visitor can see the same province from each desk. The README lists them.
import { FLAGSHIP } from './province.ts';

export const DEMO_PASSWORD = 'demo1234';

export interface DemoUser {
  login: string;
  name: string;
  password: string;
  email: string;
  grants: { role: 'admin' | 'supervisor' | 'staff'; unitId: string }[];
}

const user = (login: string, name: string, role: DemoUser['grants'][number]['role'], unitId: string): DemoUser => ({
  login,
  name,
  password: DEMO_PASSWORD,
  email: `${login}@demo.tiendo.vn`,
  grants: [{ role, unitId }],
});

export const DEMO_USERS: readonly DemoUser[] = [
  user('admin', 'Quản trị hệ thống (Sở GDĐT)', 'admin', FLAGSHIP.department),
  user('giamsat.so', 'Chuyên viên giám sát Sở GDĐT', 'supervisor', FLAGSHIP.department),
  user('giamsat.phong', 'Lãnh đạo Phòng GDĐT Châu Thành', 'supervisor', FLAGSHIP.district),
  user('admin.phong', 'Quản trị Phòng GDĐT Châu Thành', 'admin', FLAGSHIP.district),
  user('canbo.phong', 'Chuyên viên Phòng GDĐT Châu Thành', 'staff', FLAGSHIP.district),
  user('truong.thcs', 'Cán bộ Trường THCS Nguyễn Du', 'staff', FLAGSHIP.lowerSecondary),
  user('truong.th', 'Cán bộ Trường Tiểu học Trần Quốc Toản', 'staff', FLAGSHIP.primary),
  user('truong.thpt', 'Cán bộ Trường THPT Nguyễn Đình Chiểu', 'staff', FLAGSHIP.upperSecondary),
];
