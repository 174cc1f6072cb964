// Regenerates engine/definition/types.generated.ts from schema.json, the one source of the YAML's
// shape. `npm run gen:types` after editing the schema; a unit test fails while the two disagree.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

export const schemaPath = fileURLToPath(new URL('../engine/definition/schema.json', import.meta.url));
export const typesPath = fileURLToPath(new URL('../engine/definition/types.generated.ts', import.meta.url));

export async function generateDefinitionTypes(): Promise<string> {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
  const body = await compile(schema, 'ProcessDefinition', {
    bannerComment: '// Generated from engine/definition/schema.json by `npm run gen:types`. Do not edit by hand.',
    additionalProperties: false,
    ignoreMinAndMaxItems: true,
    unreachableDefinitions: true,
    style: { singleQuote: true, printWidth: 110 },
  });
  return body;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(typesPath, await generateDefinitionTypes());
  console.log(`wrote ${typesPath}`);
}
