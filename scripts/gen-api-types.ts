// Regenerates ui/src/api.generated.ts from the API's answer schemas (adapters/http/answers.ts), so
// the web UI's types are the API's, not a copy written by hand. `npm run gen:api-types` after
// editing the schemas; a unit test fails while the two disagree.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { ANSWERS, COMPONENTS } from '../adapters/http/answers.ts';

export const apiTypesPath = fileURLToPath(new URL('../ui/src/api.generated.ts', import.meta.url));

/** The answers' references point into the OpenAPI document's components; here, into $defs. */
function local(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"#/$defs/'));
}

export async function generateApiTypes(): Promise<string> {
  const names = Object.keys(ANSWERS);
  const root = {
    title: 'Answers',
    description: 'What each API answer is, by the name the route table gives it.',
    type: 'object',
    additionalProperties: false,
    required: names,
    properties: Object.fromEntries(names.map((n) => [n, local(ANSWERS[n as keyof typeof ANSWERS])])),
    $defs: local(COMPONENTS),
  };
  return compile(root as never, 'Answers', {
    bannerComment:
      "// Generated from adapters/http/answers.ts by `npm run gen:api-types`. Do not edit by hand.\nimport type { Form } from '../../engine/definition/types.generated.ts';",
    additionalProperties: false,
    unreachableDefinitions: true,
    style: { singleQuote: true, printWidth: 160 },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(apiTypesPath, await generateApiTypes());
  console.log(`wrote ${apiTypesPath}`);
}
