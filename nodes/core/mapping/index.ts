// What the server and the designer use of the mapper: config schema and types, preview, and ready-made mappings.
export { mapConfigSchema, fieldSchema, transformSchema, conditionSchema, ROUNDING } from './config.ts';
export type { MapConfig, MapConfigInput, Field, FieldInput, Source, SourceInput, Transform, TransformInput, Condition, Rounding } from './config.ts';
export { previewMap, type PreviewDeps, type PreviewResult } from './preview.ts';
export { runMap, type MapDeps, type MapResult, type FieldTrace, type FieldProblem, type SourceKind } from './engine.ts';
export { compileMap, compileCached, type CompiledMap } from './compile.ts';
export { parsePath, formatPath, getAt, PathSyntaxError } from './paths.ts';
export { shopifyOrderToSalesOrder } from './examples.ts';
