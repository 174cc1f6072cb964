// parse → schema → lint, collecting every diagnostic; a definition comes back only when clean.
import { sortDiagnostics, type Diagnostic, type Locator } from './diagnostics.ts';
import { lintDefinition, type LintOptions } from './lint.ts';
import type { ProcessDefinition } from './model.ts';
import { defaultParseLimits, parseYaml, type ParseLimits } from './parse.ts';
import { checkSchema } from './schema-check.ts';

export interface LoadOptions extends LintOptions {
  limits?: ParseLimits;
}

export interface LoadResult {
  /** Set only when there are no errors (warnings allowed). */
  definition?: ProcessDefinition;
  diagnostics: Diagnostic[];
  locate: Locator;
}

export function loadDefinition(source: string | Uint8Array, file: string, options: LoadOptions = {}): LoadResult {
  const { data, locate, sink } = parseYaml(source, file, options.limits ?? defaultParseLimits);
  if (data === undefined) return { diagnostics: sortDiagnostics(sink.items), locate };
  const schemaOk = checkSchema(data, sink);
  const schemaPointers = new Set(sink.items.map((d) => d.pointer));
  const schemaCount = sink.items.length;
  try {
    lintDefinition(data as ProcessDefinition, sink, { ...options, skipFlow: !schemaOk });
  } catch (e) {
    // Lint reads shapes the schema already rejected; a crash there adds nothing the schema errors
    // have not said. On a schema-valid definition it is a bug and must surface.
    if (schemaOk) throw e;
  }
  // One problem, one message: drop what the linter says again about a value the schema rejected.
  const lintItems = sink.items.slice(schemaCount).filter((d) => !schemaPointers.has(d.pointer));
  const diagnostics = sortDiagnostics([...sink.items.slice(0, schemaCount), ...lintItems]);
  const clean = !diagnostics.some((d) => d.severity === 'error');
  return { definition: clean ? (data as ProcessDefinition) : undefined, diagnostics, locate };
}
