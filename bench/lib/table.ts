// A results file as the README's table: figure, value, ceiling / peer, ratio, target, met — and the
// machine line under it.
//
//   node --import tsx bench/lib/table.ts [bench/results.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { meets, type Figures } from './measure.ts';

export interface Results {
  figures: Figures;
  machine: {
    cpus: number;
    model: string;
    memGiB: number;
    node: string;
    platform: string;
    loadBefore: number[];
    loadAfter: number[];
    date: string;
    seconds?: number;
    quick: boolean;
    commit?: string;
  };
  workloads?: Record<string, { ok: boolean; seconds: number; error?: string; skipped?: string[] }>;
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function readmeTable(r: Results): string {
  const rows = Object.entries(r.figures).map(([name, f]) => {
    const met = meets(f.target, f.value);
    const against = [f.ceiling !== undefined ? `${fmt(f.ceiling)}` : '', f.peer !== undefined ? `peer ${fmt(f.peer)}` : ''].filter(Boolean).join(' / ');
    return `| \`${name}\` | ${fmt(f.value)} ${f.unit} | ${against} | ${f.ratio !== undefined ? fmt(f.ratio) : ''} | ${f.target ?? ''} | ${met === undefined ? '' : met ? 'yes' : '**no**'} |`;
  });
  for (const [name, w] of Object.entries(r.workloads ?? {})) if (!w.ok) rows.push(`| ${name} (workload) | failed: ${w.error ?? ''} | | | | |`);
  return ['| figure | value | ceiling / peer | ratio | target | met |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

export function machineLine(r: Results): string {
  const m = r.machine;
  return `${m.cpus} × ${m.model}, ${m.memGiB} GiB, Node ${m.node.replace(/^v/, '')}, ${m.platform}; load average ${m.loadBefore[0]} before, ${m.loadAfter[0]} after; ${m.date.slice(0, 16).replace('T', ' ')} UTC${m.seconds ? `; ${Math.round(m.seconds)} s in all` : ''}${m.commit ? `; commit ${m.commit}` : ''}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = JSON.parse(readFileSync(process.argv[2] ?? 'bench/results.json', 'utf8')) as Results;
  console.log(`${readmeTable(r)}\n\n${machineLine(r)}`);
}
