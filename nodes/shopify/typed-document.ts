// A GraphQL document that carries the types of its result and variables (generated from the Admin schema into
// admin-types.generated.ts by `npm run shopify-types`), so `client.request(DOC, vars)` is typed at every call site
// and a call cannot claim a result shape the document does not select. At run time it is the plain string.

declare const operation: unique symbol;

/** The document text, branded with the operation's result and variables types (the brand exists only for the compiler). */
export type TypedDocument<TResult, TVariables> = string & { readonly [operation]: { result: TResult; variables: TVariables } };

/** Any string that is not a TypedDocument: dynamic documents (bulk query texts, tests' ad-hoc documents). */
export type UntypedDocument = string & { readonly [operation]?: undefined };

/** The result type a typed document declares. */
export type ResultOf<D> = D extends TypedDocument<infer R, unknown> ? R : never;

/** Brands `text` with the generated types of its operation; the script checks that every registered document is named. */
export function typedDocument<TResult, TVariables>(text: string): TypedDocument<TResult, TVariables> {
  return text as TypedDocument<TResult, TVariables>;
}
