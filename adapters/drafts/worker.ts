// One draft checker thread: takes { id, source, file, lang } and answers { id, summary } or
// { id, error }. The main thread's event loop never runs the parse, lint or compile of a draft.
import { parentPort, workerData } from 'node:worker_threads';
import { summarizeDraft, type CalendarRanges } from '../../engine/application/drafts.ts';

const calendars = (workerData as { calendars: CalendarRanges }).calendars;

parentPort!.on('message', (job: { id: number; source: string; file: string; lang?: 'vi' | 'en' }) => {
  try {
    parentPort!.postMessage({ id: job.id, summary: summarizeDraft(job.source, job.file, calendars, job.lang) });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: { message: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack } });
  }
});
// The first check compiles the schema validators and warms the parser: done here, before the thread
// says it is ready, so it does not count against the first draft's time limit.
summarizeDraft('id: warm-up\n', 'warm-up.yaml', calendars);
parentPort!.postMessage({ ready: true });
