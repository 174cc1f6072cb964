// The API's answers have schemas (adapters/http/answers.ts): every route names its answer, the OpenAPI
// document carries it with every reference resolvable, the check the tests run with refuses an answer
// that drifts, and the web UI's types are generated from them (ui/src/api.generated.ts).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ANSWERS } from '../../adapters/http/answers.ts';
import { openApiDocument } from '../../adapters/http/openapi.ts';
import { ROUTES } from '../../adapters/http/routes/index.ts';
import { answerChecker } from '../../adapters/http/validate.ts';
import { apiTypesPath, generateApiTypes } from '../../scripts/gen-api-types.ts';

const routeOf = (method: string, path: string) => ROUTES.find((r) => r.method === method && r.path === path)!;

describe('API answers: schemas in the route table', () => {
  it('every route names its answer (a schema, a file, or a redirect); only a 204 answers nothing', () => {
    const missing = ROUTES.filter((r) => !r.answer && r.status !== 204).map((r) => `${r.method} ${r.path}`);
    expect(missing).to.deep.equal([]);
    for (const r of ROUTES) if (r.answer && r.answer !== 'file' && r.answer !== 'redirect') expect(ANSWERS, `${r.method} ${r.path}`).to.have.property(r.answer);
  });

  it('the OpenAPI document describes every success, and every reference in it resolves', () => {
    const doc = openApiDocument(ROUTES, 'test') as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown; headers?: unknown }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    for (const r of ROUTES) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const success = doc.paths[path]![r.method]!.responses[String(r.status ?? 200)]!;
      if (r.status === 204) expect(success.content).to.equal(undefined);
      else if (r.answer === 'redirect') expect(success.headers, `${r.method} ${r.path}`).to.have.property('Location');
      else expect(success.content, `${r.method} ${r.path}`).to.be.an('object');
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).to.be.above(30);
    for (const name of new Set(refs)) expect(doc.components.schemas, name).to.have.property(name);
  });

  it('the check refuses an answer with a field its schema does not have, or without one it requires', () => {
    const read = answerChecker(routeOf('post', '/api/v1/inbox/read'))!;
    read({ unread: 2 });
    expect(() => read({ unread: 2, secret: 'x' })).to.throw(/does not match its schema "unread".*secret/);
    expect(() => read({})).to.throw(/unread/);
    const summary = answerChecker(routeOf('post', '/api/v1/instances/:id/events'))!;
    const valid = { id: 'i', definitionId: 'd', definitionVersion: 1, orgUnitId: 'u', status: 'running', stages: ['a'], rev: 2 };
    summary(valid);
    expect(() => summary({ ...valid, status: 'finished' })).to.throw(/status/);
    expect(() => summary({ ...valid, state: {} })).to.throw(/state/);
    expect(answerChecker(routeOf('get', '/api/v1/board/export'))).to.equal(undefined);
  });

  it('the UI’s types are generated from them (run `npm run gen:api-types` after editing answers.ts)', async () => {
    expect(readFileSync(apiTypesPath, 'utf8')).to.equal(await generateApiTypes());
  });
});
