// Instance ids that sort in the order they were made (UUID version 7, RFC 9562: the time in ms, then
// a counter within the ms, then random bits). An instance's task, timer and job ids start with its
// id, so a campaign's thousands of starts append to the end of those tables' keys instead of landing
// all over them: a random id (v4) sent each insert to another page of every key, and at 50,000
// schools SQLite's commits of the same rows cost 1.4 ms an instance against 1.0 in key order
// (bench/workloads/campaign.ts, its node-sqlite3 trace). Still 74 random bits: unique across processes.
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
const pool = Buffer.alloc(16 * 256);
let used = pool.length;

export function orderedId(now = Date.now()): string {
  // The counter fills the 12 bits after the time; past 4,096 ids in one ms the time moves on by one
  // (ids stay in order, a moment ahead of the clock). A clock set back keeps the last time.
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const b = pool.subarray(used, used + 16);
  used += 16;
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
