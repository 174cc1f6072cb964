// A searchable unit field: the units the administrator holds roles on and two levels below them (the
// Phòng and their schools), offered by name as the user types (a datalist). Two units of one name
// are told apart by the unit above.
import { get, qs } from '../api.ts';
import { h } from '../dom.ts';
import { grantUnits } from '../session.ts';
import type { UnitRow } from '../types.ts';

export interface PickUnit {
  id: string;
  label: string;
}

async function children(id: string): Promise<UnitRow[]> {
  return (await get<{ items: UnitRow[] }>(`/api/v1/org-units${qs({ parentId: id })}`)).items;
}

async function load(): Promise<PickUnit[]> {
  const roots = (await get<{ items: UnitRow[] }>('/api/v1/org-units')).items.filter((u) => grantUnits('admin').some((g) => g.unitId === u.id));
  const rows: { unit: UnitRow; above?: string }[] = roots.map((unit) => ({ unit }));
  const level1 = (
    await Promise.all(roots.filter((u) => u.childCount).map(async (r) => (await children(r.id)).map((unit) => ({ unit, above: r.name }))))
  ).flat();
  const level2 = (
    await Promise.all(level1.filter((x) => x.unit.childCount).map(async (x) => (await children(x.unit.id)).map((unit) => ({ unit, above: x.unit.name }))))
  ).flat();
  rows.push(...level1, ...level2);
  const named = new Map<string, number>();
  for (const r of rows) named.set(r.unit.name, (named.get(r.unit.name) ?? 0) + 1);
  return rows.map((r) => ({ id: r.unit.id, label: named.get(r.unit.name)! > 1 && r.above ? `${r.unit.name} — ${r.above}` : r.unit.name }));
}

/** The field; `value()`: '' when empty, the unit's id when a listed name is typed, undefined otherwise. */
function input(units: PickUnit[], id: string, testid: string) {
  const listId = `${id}-list`;
  const field = h('input', { id, list: listId, autocomplete: 'off', 'data-testid': testid });
  const el = h(
    'div',
    null,
    field,
    h(
      'datalist',
      { id: listId },
      units.map((u) => h('option', { value: u.label })),
    ),
  );
  const byLabel = new Map(units.map((u) => [u.label.toLocaleLowerCase('vi'), u.id]));
  return {
    el,
    field,
    text: () => field.value.trim(),
    value: (): string | undefined => {
      const text = field.value.trim();
      return text ? byLabel.get(text.toLocaleLowerCase('vi')) : '';
    },
  };
}

export const unitPicker = { load, input };
