// Types of the HTTP API, taken from the generated openapi.d.ts (npm run api-types) so that a server change that
// breaks the designer fails to compile. Write `Res<'/api/flows/{id}', 'get'>` rather than copying a shape by hand.
import type { components, paths } from './openapi.d.ts';

export type { paths };
export type Path = keyof paths;
type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
/** The methods a path serves. */
export type MethodOf<P extends Path> = { [M in Method]: paths[P][M] extends { responses: unknown } ? M : never }[Method];
type Op<P extends Path, M extends MethodOf<P>> = paths[P][M] extends infer O ? O : never;
type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Responses<P extends Path, M extends MethodOf<P>> = Op<P, M> extends { responses: infer R } ? R : never;
type Success = 200 | 201 | 202;

/** The JSON body of a successful answer (200/201/202; a union when there are several). */
export type Res<P extends Path, M extends MethodOf<P>, S extends Success = Success> = {
  [K in S & keyof Responses<P, M>]: Json<Responses<P, M>[K]>;
}[S & keyof Responses<P, M>];

/** The JSON request body. */
export type Body<P extends Path, M extends MethodOf<P>> = Op<P, M> extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

/** The query parameters. */
export type Query<P extends Path, M extends MethodOf<P>> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** The error body every route answers with (server/api/http.ts). */
export type ErrorBody = Json<Responses<'/api/flows/{id}', 'get'>[404]>;

/** A named schema of the document (components.schemas). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
