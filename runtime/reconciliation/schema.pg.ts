// The PostgreSQL tables of ./schema.ts, derived from it (runtime/store/pg-derive.ts): edit ./schema.ts, never this.
// Every table ./schema.ts exports must be listed here (runtime/store/pg-schema.test.ts checks), or drizzle-kit's
// PostgreSQL migrations would not create it.
import { derivePgSchema } from '../store/pg-derive.ts';
import * as sqlite from './schema.ts';

export const { reconClaims, reconPayouts, reconSettlements, reconBalancePages } = derivePgSchema(sqlite);
