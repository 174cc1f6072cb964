// The demo province: a Sở GDĐT, its Phòng GDĐT (one per district, managing preschools, primary and
// lower-secondary schools) and about 500 schools, with the upper-secondary schools and the
// continuing-education centres directly under the Sở. Generated from a seed, so every start of the
// demo shows the same province; most schools carry the name of the commune they serve, as in life.
import type { UnitInput } from '../../engine/service/org.ts';
import { BEN_TRE, PEOPLE, PRESCHOOL_NAMES, slug, type DistrictNames, type ProvinceNames } from './names.ts';
import { createRng, type Rng } from './rng.ts';

export const DEFAULT_SEED = 2024;

/** The two units directly under the Sở that the Bến Tre letter of 2022 names one by one (the codes
 * processes/ben-tre-review-2022.yaml lists under `ids:`). */
export const SPECIAL_SCHOOLS = { hermannGmeiner: 'bt-hermann-gmeiner', sports: 'bt-nang-khieu-tdtt' } as const;

/** Units the demo logins work in; they exist whatever the seed. */
export const FLAGSHIP = {
  department: 'so-bt',
  /** The first Phòng: its supervisor, admin and staff logins. */
  district: 'pgd-chau-thanh',
  lowerSecondary: 'thcs-chau-thanh-nguyen-du',
  primary: 'th-chau-thanh-tran-quoc-toan',
  upperSecondary: 'thpt-nguyen-dinh-chieu',
} as const;

const FLAGSHIP_NAMES = { lowerSecondary: 'Nguyễn Du', primary: 'Trần Quốc Toản', upperSecondary: 'Nguyễn Đình Chiểu' } as const;
const RESERVED = new Set<string>(Object.values(FLAGSHIP_NAMES));

/** What a school of each kind is called, and the prefix of its id. */
const SCHOOL = {
  preschool: { title: 'Trường Mầm non', id: 'mn' },
  primary: { title: 'Trường Tiểu học', id: 'th' },
  'lower-secondary': { title: 'Trường THCS', id: 'thcs' },
  'upper-secondary': { title: 'Trường THPT', id: 'thpt' },
} as const;

type DistrictSchoolKind = 'preschool' | 'primary' | 'lower-secondary';

/** Every unit of the province, parents before children: the Sở, each Phòng and its schools, then
 * the THPT, the two special schools (multi-level) and the continuing-education centres. */
export function generateProvince(seed: number = DEFAULT_SEED, names: ProvinceNames = BEN_TRE): UnitInput[] {
  const rng = createRng(seed);
  const departmentId = `so-${names.abbreviation}`;
  const units: UnitInput[] = [{ id: departmentId, kind: 'department', name: `Sở GDĐT ${names.name}` }];
  names.districts.forEach((district, i) => units.push(...districtUnits(district, departmentId, rng.fork(`district:${district.slug}`), i === 0)));
  units.push(...upperSecondary(names, departmentId, rng.fork('thpt')));
  units.push(
    {
      id: SPECIAL_SCHOOLS.hermannGmeiner,
      parentId: departmentId,
      kind: 'multi-level',
      name: `Trường phổ thông Hermann Gmeiner ${names.name}`,
      levels: ['primary', 'lower-secondary', 'upper-secondary'],
    },
    {
      id: SPECIAL_SCHOOLS.sports,
      parentId: departmentId,
      kind: 'multi-level',
      name: `Trường Năng khiếu Thể dục thể thao ${names.name}`,
      levels: ['lower-secondary', 'upper-secondary'],
    },
    { id: `gdtx-${slug(names.name)}`, parentId: departmentId, kind: 'continuing-education', name: `Trung tâm GDTX tỉnh ${names.name}` },
    {
      id: `gdnn-gdtx-${names.districts.at(-1)!.slug}`,
      parentId: departmentId,
      kind: 'continuing-education',
      name: `Trung tâm GDNN-GDTX ${names.districts.at(-1)!.name}`,
    },
  );
  return units;
}

function districtUnits(district: DistrictNames, departmentId: string, rng: Rng, first: boolean): UnitInput[] {
  const officeId = `pgd-${district.slug}`;
  const office: UnitInput = {
    id: officeId,
    parentId: departmentId,
    kind: 'district-office',
    name: `Phòng GDĐT ${district.name}`,
    levels: ['preschool', 'primary', 'lower-secondary'],
  };
  const names: Record<DistrictSchoolKind, string[]> = { preschool: [], primary: [], 'lower-secondary': [] };
  if (first) {
    names['lower-secondary'].push(FLAGSHIP_NAMES.lowerSecondary);
    names.primary.push(FLAGSHIP_NAMES.primary);
  }
  // Town schools are named after people or flowers; the rest after their commune.
  const people = rng.shuffle(PEOPLE.filter((p) => !RESERVED.has(p)));
  names.preschool.push(...rng.shuffle(PRESCHOOL_NAMES).slice(0, rng.int(2, 5)));
  names.primary.push(...people.splice(0, rng.int(0, 2)));
  names['lower-secondary'].push(...people.splice(0, rng.int(0, 2)));
  for (const commune of district.communes) {
    if (rng.chance(0.9)) names.preschool.push(commune);
    names.primary.push(commune);
    if (rng.chance(0.8)) names['lower-secondary'].push(commune);
  }
  const schools = (Object.keys(names) as DistrictSchoolKind[]).flatMap((kind) =>
    names[kind].map((name): UnitInput => ({
      id: unitId(SCHOOL[kind].id, district.slug, name),
      parentId: officeId,
      kind,
      name: `${SCHOOL[kind].title} ${name}`,
    })),
  );
  return [office, ...schools];
}

function upperSecondary(names: ProvinceNames, departmentId: string, rng: Rng): UnitInput[] {
  const people = rng.shuffle(PEOPLE.filter((p) => p !== FLAGSHIP_NAMES.upperSecondary));
  const schoolNames = [FLAGSHIP_NAMES.upperSecondary, ...people.slice(0, names.districts.length * 3 + rng.int(0, 4))];
  const thpt = schoolNames.map((name): UnitInput => ({
    id: unitId(SCHOOL['upper-secondary'].id, '', name),
    parentId: departmentId,
    kind: 'upper-secondary',
    name: `${SCHOOL['upper-secondary'].title} ${name}`,
  }));
  const gifted: UnitInput = {
    id: `thpt-chuyen-${slug(names.name)}`,
    parentId: departmentId,
    kind: 'upper-secondary',
    name: `Trường THPT Chuyên ${names.name}`,
  };
  return [...thpt, gifted];
}

/** Letters, digits and "-", at most 64: "thcs-chau-thanh-nguyen-du". */
function unitId(prefix: string, district: string, name: string): string {
  return [prefix, district, slug(name)].filter(Boolean).join('-').slice(0, 64).replace(/-$/, '');
}
