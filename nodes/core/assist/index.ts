// Assistance: mapping suggestions (offline, deterministic) and the pieces the server and CLI build on.
export { suggestMapping, DEFAULT_WEIGHTS, type Candidate, type SuggestOptions, type SuggestResult, type TargetSuggestion, type Weights } from './suggest.ts';
export { targetFields, TargetSchemaError, type TargetField } from './target-schema.ts';
export { shopifyOrderSources, SOURCES, type SourceField } from './source-catalog.ts';
export { mapFieldsFromSuggestions, type AcceptedSuggestion } from './to-map-config.ts';
export { orderFromSample, SampleError } from './sample.ts';
