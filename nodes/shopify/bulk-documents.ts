// GraphQL documents for Shopify's bulk operations (2026-10), validated against the schema by bulk-client.test.ts.
// The bulk QUERY texts (the `query` argument of bulkOperationRunQuery) are validated there as well. The operations
// carry their generated types (admin-types.generated.ts); the bulk query texts do not: their results arrive as JSONL.
import type {
  BulkCancelMutation,
  BulkCancelMutationVariables,
  BulkInventorySetQuantitiesMutation,
  BulkInventorySetQuantitiesMutationVariables,
  BulkOperationQuery,
  BulkOperationQueryVariables,
  BulkRunMutationMutation,
  BulkRunMutationMutationVariables,
  BulkRunQueryMutation,
  BulkRunQueryMutationVariables,
  InventoryLevelAtQuery,
  InventoryLevelAtQueryVariables,
  StagedUploadsCreateMutation,
  StagedUploadsCreateMutationVariables,
} from './admin-types.generated.ts';
import { typedDocument } from './typed-document.ts';

export const BULK_RUN_QUERY = typedDocument<
  BulkRunQueryMutation,
  BulkRunQueryMutationVariables
>(`mutation BulkRunQuery($query: String!, $groupObjects: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) {
    bulkOperation { id status type createdAt }
    userErrors { code field message }
  }
}`);

export const STAGED_UPLOADS_CREATE = typedDocument<
  StagedUploadsCreateMutation,
  StagedUploadsCreateMutationVariables
>(`mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}`);

export const BULK_RUN_MUTATION = typedDocument<
  BulkRunMutationMutation,
  BulkRunMutationMutationVariables
>(`mutation BulkRunMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
    bulkOperation { id status type createdAt }
    userErrors { code field message }
  }
}`);

export const BULK_OPERATION = typedDocument<BulkOperationQuery, BulkOperationQueryVariables>(`query BulkOperation($id: ID!) {
  bulkOperation(id: $id) {
    id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl
  }
}`);

export const BULK_CANCEL = typedDocument<BulkCancelMutation, BulkCancelMutationVariables>(`mutation BulkCancel($id: ID!) {
  bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } }
}`);

/**
 * Every inventory level of every location with its item's SKU: rooted at locations so the JSONL holds one line per
 * level plus one per location (a variant-rooted read would add a line per variant: 400,000 objects instead of
 * 300,003 for 100,000 variants × 3 locations). Two connections, nesting depth two.
 */
export const BULK_INVENTORY_LEVELS = `{
  locations(includeInactive: false) {
    edges { node {
      id
      inventoryLevels {
        edges { node {
          id
          item { id sku tracked variant { id displayName } }
          quantities(names: ["available"]) { name quantity }
        } }
      }
    } }
  }
}`;

type Available = { name: string; quantity: number }[];
type BulkItem = { id: string; sku: string | null; tracked: boolean; variant: { id: string; displayName: string } };

/**
 * A JSONL line of BULK_INVENTORY_LEVELS (without groupObjects): a location, or one of its levels naming it as parent.
 * Written from the query text and the Admin schema's nullability: bulk results are not typed by the codegen.
 */
export type BulkInventoryLevelsLine = { id: string; __parentId?: undefined } | { id: string; __parentId: string; item: BulkItem; quantities: Available };

/** A JSONL line of bulkInventoryItemsQuery(): an inventory item, or one of its levels naming it as parent. */
export type BulkInventoryItemsLine =
  | (BulkItem & { __parentId?: undefined })
  | { id: string; __parentId: string; location: { id: string }; quantities: Available };

/** A JSONL line of BULK_CATALOG_AUDIT: one inventory item. */
export type BulkCatalogAuditLine = {
  id: string;
  sku: string | null;
  tracked: boolean;
  duplicateSkuCount: number;
  variant: { id: string; displayName: string };
};

/** The same, for the inventory items whose SKUs match `$query` (a delta read): items → their levels. */
export function bulkInventoryItemsQuery(search: string): string {
  return `{
  inventoryItems(query: ${JSON.stringify(search)}) {
    edges { node {
      id sku tracked variant { id displayName }
      inventoryLevels {
        edges { node { id location { id } quantities(names: ["available"]) { name quantity } } }
      }
    } }
  }
}`;
}

/** One item's available quantity at one location: what a compare-and-set conflict re-reads (3 points). */
export const INVENTORY_LEVEL_AT = typedDocument<InventoryLevelAtQuery, InventoryLevelAtQueryVariables>(`query InventoryLevelAt($itemId: ID!, $locationId: ID!) {
  inventoryItem(id: $itemId) { id inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } }
}`);

/** The mutation each line of a bulk inventory write runs (variables: input, idempotencyKey). */
export const BULK_INVENTORY_SET = typedDocument<
  BulkInventorySetQuantitiesMutation,
  BulkInventorySetQuantitiesMutationVariables
>(`mutation BulkInventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    userErrors { code field message }
  }
}`);

/** Catalogue audit in bulk: every inventory item with its duplicate count and variant. One connection. */
export const BULK_CATALOG_AUDIT = `{
  inventoryItems {
    edges { node { id sku tracked duplicateSkuCount variant { id displayName } } }
  }
}`;

export const BULK_DOCUMENTS = {
  BULK_RUN_QUERY,
  STAGED_UPLOADS_CREATE,
  BULK_RUN_MUTATION,
  BULK_OPERATION,
  BULK_CANCEL,
  INVENTORY_LEVEL_AT,
  BULK_INVENTORY_SET,
} as const;
export const BULK_QUERY_TEXTS = { BULK_INVENTORY_LEVELS, BULK_CATALOG_AUDIT, DELTA: bulkInventoryItemsQuery("sku:'A' OR sku:'B'") } as const;
