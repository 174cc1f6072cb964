import { expect } from 'chai';

import { canChiOfYear, hungKingsDate, lunarMonthLength, lunarToSolar, solarToLunar, tetDate, tetEveDate } from '../../engine/calendar/lunar.ts';
import { CalendarError } from '../../engine/calendar/time.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(CalendarError);
    return (err as CalendarError).code;
  }
  expect.fail('expected a CalendarError');
}

describe('lunar calendar (Hồ Ngọc Đức, UTC+7)', () => {
  describe('tetDate', () => {
    const known: Record<number, string> = {
      2021: '2021-02-12',
      2022: '2022-02-01',
      2023: '2023-01-22',
      2024: '2024-02-10',
      2025: '2025-01-29',
      2026: '2026-02-17',
    };
    for (const [year, date] of Object.entries(known)) {
      it(`Tết ${year} is ${date}`, () => {
        expect(tetDate(Number(year))).to.equal(date);
        expect(lunarToSolar(1, 1, Number(year))).to.equal(date);
      });
    }

    it('uses Vietnamese time (UTC+7), not Chinese (UTC+8), where they differ', () => {
      // Chinese New Year: 1985-02-20, 2007-02-18, 2030-02-03.
      expect(tetDate(1985)).to.equal('1985-01-21');
      expect(tetDate(2007)).to.equal('2007-02-17');
      expect(tetDate(2030)).to.equal('2030-02-02');
    });

    it('Tết eve is the last day of the previous lunar year (29 or 30 tháng Chạp)', () => {
      expect(tetEveDate(2022)).to.equal('2022-01-31');
      expect(solarToLunar('2022-01-31')).to.deep.equal({ day: 29, month: 12, year: 2021, leap: false });
      expect(tetEveDate(2023)).to.equal('2023-01-21');
      expect(solarToLunar('2023-01-21')).to.deep.equal({ day: 30, month: 12, year: 2022, leap: false });
      expect(lunarMonthLength(12, 2021)).to.equal(29);
      expect(lunarMonthLength(12, 2022)).to.equal(30);
    });
  });

  describe('hungKingsDate (10/3 lunar)', () => {
    const known: Record<number, string> = {
      2021: '2021-04-21',
      2022: '2022-04-10',
      2023: '2023-04-29',
      2024: '2024-04-18',
      2025: '2025-04-07',
      2026: '2026-04-26',
    };
    for (const [year, date] of Object.entries(known)) {
      it(`Giỗ Tổ Hùng Vương ${year} is ${date}`, () => {
        expect(hungKingsDate(Number(year))).to.equal(date);
        expect(solarToLunar(date)).to.deep.equal({ day: 10, month: 3, year: Number(year), leap: false });
      });
    }
  });

  describe('leap months', () => {
    it('2023 has a leap 2nd month (22/3–19/4/2023), so 10/3 falls on 29/4', () => {
      expect(lunarToSolar(1, 2, 2023)).to.equal('2023-02-20');
      expect(lunarToSolar(1, 2, 2023, true)).to.equal('2023-03-22');
      expect(solarToLunar('2023-03-22')).to.deep.equal({ day: 1, month: 2, year: 2023, leap: true });
      expect(solarToLunar('2023-04-20')).to.deep.equal({ day: 1, month: 3, year: 2023, leap: false });
    });

    it('2020 has a leap 4th month and 2025 a leap 6th month', () => {
      expect(solarToLunar('2020-05-23')).to.deep.equal({ day: 1, month: 4, year: 2020, leap: true });
      expect(lunarToSolar(1, 6, 2025, true)).to.equal('2025-07-25');
    });

    it('rejects a leap flag for a month that is not leap', () => {
      expect(codeOf(() => lunarToSolar(1, 3, 2023, true))).to.equal('BAD_DATE');
      expect(codeOf(() => lunarToSolar(1, 1, 2022, true))).to.equal('BAD_DATE');
    });
  });

  it('finds the Mid-Autumn festival (15/8 lunar)', () => {
    expect(lunarToSolar(15, 8, 2024)).to.equal('2024-09-17');
    expect(lunarToSolar(15, 8, 2025)).to.equal('2025-10-06');
  });

  it('rejects impossible lunar dates and malformed solar dates', () => {
    expect(codeOf(() => lunarToSolar(0, 1, 2024))).to.equal('BAD_DATE');
    expect(codeOf(() => lunarToSolar(1, 13, 2024))).to.equal('BAD_DATE');
    expect(codeOf(() => lunarToSolar(30, 12, 2021))).to.equal('BAD_DATE'); // tháng Chạp Tân Sửu has 29 days
    expect(codeOf(() => solarToLunar('2022-02-30'))).to.equal('BAD_DATE');
    expect(codeOf(() => solarToLunar('01/02/2022'))).to.equal('BAD_DATE');
  });

  it('round-trips every day from 2019 to 2032 and advances one lunar day at a time', () => {
    let previous = solarToLunar('2018-12-31');
    const start = Date.UTC(2019, 0, 1);
    const end = Date.UTC(2032, 11, 31);
    let newYears = 0;
    for (let t = start; t <= end; t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      const l = solarToLunar(iso);
      expect(lunarToSolar(l.day, l.month, l.year, l.leap), iso).to.equal(iso);
      if (l.day === 1) {
        expect([29, 30], `length of the month before ${iso}`).to.include(previous.day);
        if (l.month === 1 && !l.leap) {
          newYears++;
          expect(l.year, iso).to.equal(previous.year + 1);
          expect(iso).to.equal(tetDate(l.year));
        }
      } else {
        expect(l, iso).to.deep.equal({ ...previous, day: previous.day + 1 });
      }
      previous = l;
    }
    expect(newYears).to.equal(14);
  });

  it('names the year in the sexagenary cycle', () => {
    expect(canChiOfYear(2022)).to.equal('Nhâm Dần');
    expect(canChiOfYear(2024)).to.equal('Giáp Thìn');
    expect(canChiOfYear(2026)).to.equal('Bính Ngọ');
  });
});
