// Checks of work across the tree (fanOut): where a fan-out may sit, what its selection names, which
// stages may wait for CHILDREN_DONE, and who `children` in a ladder can mean. The child process is
// another definition, checked when the parent starts (it must be published by then).
import { both, listOf, type DocPath } from './diagnostics.ts';
import type { LintContext } from './lint.ts';
import { asList, CHILDREN_ALIAS, CHILDREN_DONE_EVENT, CHILDREN_FIELDS, isRecord, ROLLUP_FIGURES } from './model.ts';
import { suggest, suggestVi } from './suggest.ts';

export function lintFanOuts({ def, sink, nodes }: LintContext): void {
  const lists = Object.keys(isRecord(def.lists) ? def.lists : {});
  for (const node of nodes) {
    const s = node.stage;
    const fanOut = isRecord(s.fanOut) ? s.fanOut : undefined;
    if (fanOut && node.kind !== 'atomic')
      sink.error(
        'FAN_OUT_SHAPE',
        [...node.path, 'fanOut'],
        both(
          `stage "${node.id}" is a ${node.kind} stage; only a stage with no stages inside it can open work for the units below`,
          `giai đoạn "${node.id}" là giai đoạn ${node.kind === 'parallel' ? 'song song' : node.kind === 'compound' ? 'có giai đoạn con' : 'kết thúc'}; chỉ giai đoạn không có giai đoạn con mới giao việc được cho đơn vị cấp dưới`,
        ),
        'key',
      );
    const list = isRecord(fanOut?.units) ? fanOut.units.list : undefined;
    if (typeof list === 'string' && !lists.includes(list))
      sink.error(
        'UNKNOWN_LIST',
        [...node.path, 'fanOut', 'units', 'list'],
        both(
          `list "${list}" is not declared${suggest(list, lists)}; ${lists.length ? `lists are: ${listOf(lists)}` : 'declare it under "lists"'}`,
          `danh sách "${list}" chưa được khai báo${suggestVi(list, lists)}; ${lists.length ? `các danh sách có: ${listOf(lists)}` : 'hãy khai báo trong "lists"'}`,
        ),
      );
    const anchors = Object.keys(isRecord(def.anchors) ? def.anchors : {});
    if (fanOut && isRecord(fanOut.anchors))
      for (const [child, parent] of Object.entries(fanOut.anchors)) {
        if (typeof parent === 'string' && !anchors.includes(parent))
          sink.error(
            'UNKNOWN_ANCHOR',
            [...node.path, 'fanOut', 'anchors', child],
            both(
              `anchor "${parent}" passed down to "${child}" is not declared here${suggest(parent, anchors)}; ${anchors.length ? `anchors are: ${listOf(anchors)}` : 'declare it under "anchors"'}`,
              `mốc "${parent}" truyền xuống "${child}" chưa được khai báo ở quy trình này${suggestVi(parent, anchors)}; ${anchors.length ? `các mốc có: ${listOf(anchors)}` : 'hãy khai báo trong "anchors"'}`,
            ),
          );
      }
    const waits = isRecord(s.on) && s.on[CHILDREN_DONE_EVENT] !== undefined;
    if (waits && !fanOut)
      sink.error(
        'CHILDREN_DONE_WITHOUT_FAN_OUT',
        [...node.path, 'on', CHILDREN_DONE_EVENT],
        both(
          `stage "${node.id}" waits for ${CHILDREN_DONE_EVENT} but opens no work below (no "fanOut"), so it never comes`,
          `giai đoạn "${node.id}" chờ ${CHILDREN_DONE_EVENT} nhưng không giao việc cho cấp dưới (không có "fanOut"), nên sự kiện đó không bao giờ đến`,
        ),
        'key',
      );
    if (fanOut && node.kind === 'atomic' && !waits && !(isRecord(s.on) && s.on.DUE !== undefined))
      sink.warning(
        'FAN_OUT_NEVER_WAITED',
        [...node.path, 'fanOut'],
        both(
          `stage "${node.id}" opens work below but has no ${CHILDREN_DONE_EVENT} or DUE transition: nothing moves on when the units have answered`,
          `giai đoạn "${node.id}" giao việc cho cấp dưới nhưng không có bước chuyển ${CHILDREN_DONE_EVENT} hoặc DUE: khi các đơn vị đã báo cáo, quy trình vẫn không đi tiếp`,
        ),
        'key',
      );
    asList(s.escalate).forEach((step, i) => {
      if (!isRecord(step)) return;
      const notify = asList(step.notify as string | string[]);
      const at: DocPath = [...node.path, 'escalate', i, 'notify'];
      notify.forEach((role, j) => {
        if (role === CHILDREN_ALIAS && !fanOut)
          sink.error(
            'CHILDREN_WITHOUT_FAN_OUT',
            Array.isArray(step.notify) ? [...at, j] : at,
            both(
              `"${CHILDREN_ALIAS}" notifies the units a stage waits for below; stage "${node.id}" opens no work below (no "fanOut")`,
              `"${CHILDREN_ALIAS}" báo cho các đơn vị cấp dưới mà giai đoạn đang chờ; giai đoạn "${node.id}" không giao việc cho cấp dưới (không có "fanOut")`,
            ),
          );
      });
    });
  }
  // A role pointing down the tree names many units: it can be told (a ladder's notify), not hold work.
  const roles = isRecord(def.roles) ? def.roles : {};
  const down = Object.keys(roles).filter((r) => isRecord(roles[r]) && (roles[r].unit === 'children' || roles[r].unit === 'descendants'));
  const holds = (role: unknown, at: DocPath) => {
    if (typeof role === 'string' && down.includes(role))
      sink.error(
        'ROLE_POINTS_DOWN',
        at,
        both(
          `role "${role}" points down the tree (many units): it can be notified, not own a stage or a task`,
          `vai trò "${role}" chỉ xuống cấp dưới (nhiều đơn vị): vai trò này chỉ được nhận thông báo, không phụ trách giai đoạn hay công việc`,
        ),
      );
  };
  for (const node of nodes) {
    holds(node.stage.owner, [...node.path, 'owner']);
    asList(node.stage.tasks).forEach((task, i) => isRecord(task) && holds(task.owner, [...node.path, 'tasks', i, 'owner']));
  }
  // A prefilled field is a field of the task's form, filled from a figure some fan-out counts.
  const rollups = nodes.flatMap((n) => (isRecord(n.stage.fanOut) && isRecord(n.stage.fanOut.rollup) ? Object.keys(n.stage.fanOut.rollup) : []));
  for (const node of nodes) {
    asList(node.stage.tasks).forEach((task, i) => {
      if (!isRecord(task) || !isRecord(task.prefill)) return;
      const fields = Object.keys(isRecord(task.form) && isRecord(task.form.properties) ? task.form.properties : {});
      for (const [field, ref] of Object.entries(task.prefill)) {
        const at: DocPath = [...node.path, 'tasks', i, 'prefill', field];
        if (!fields.includes(field))
          sink.error(
            'PREFILL_NOT_IN_FORM',
            at,
            both(
              `task "${String(task.id)}" has no form field "${field}"${suggest(field, fields)}; ${fields.length ? `its fields are: ${listOf(fields)}` : 'it has no form'}`,
              `biểu mẫu của công việc "${String(task.id)}" không có trường "${field}"${suggestVi(field, fields)}; ${fields.length ? `các trường có: ${listOf(fields)}` : 'công việc này không có biểu mẫu'}`,
            ),
            'key',
          );
        if (typeof ref !== 'string') continue;
        const [source, name, figure] = ref.split('.');
        const known =
          source === 'children'
            ? (CHILDREN_FIELDS as readonly string[]).includes(name ?? '') && figure === undefined
            : rollups.includes(name ?? '') && (ROLLUP_FIGURES as readonly string[]).includes(figure ?? '');
        if (!known)
          sink.error(
            'UNKNOWN_FIGURE',
            at,
            both(
              `"${ref}" is no figure of this process; prefill from children.${CHILDREN_FIELDS.join(' | children.')} or rollup.<name>.${ROLLUP_FIGURES.join('|')}${rollups.length ? ` with a roll-up of: ${listOf(rollups)}` : ' (no fan-out adds anything up here)'}`,
              `"${ref}" không phải là chỉ số của quy trình này; hãy điền sẵn từ children.${CHILDREN_FIELDS.join(' | children.')} hoặc rollup.<tên>.${ROLLUP_FIGURES.join('|')}${rollups.length ? ` với số liệu tổng hợp: ${listOf(rollups)}` : ' (ở đây không có giai đoạn giao việc nào tổng hợp số liệu)'}`,
            ),
          );
      }
    });
  }
  if (isRecord(def.events) && isRecord(def.events[CHILDREN_DONE_EVENT]) && def.events[CHILDREN_DONE_EVENT].form)
    sink.error(
      'RESERVED_EVENT',
      ['events', CHILDREN_DONE_EVENT, 'form'],
      both(`${CHILDREN_DONE_EVENT} is sent by the engine and carries no data`, `${CHILDREN_DONE_EVENT} do hệ thống tự gửi và không mang dữ liệu`),
      'key',
    );
}
