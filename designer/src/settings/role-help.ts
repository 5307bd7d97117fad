// What each role may do, in the words the users screens offer it with.
import type { Role } from '../api/types.ts';

export const ROLE_HELP: Record<Role, string> = {
  owner: 'everything, including users and tokens',
  consultant: 'builds and publishes flows, manages connections',
  client: 'the merchant’s staff: mappings and lookup tables of existing flows',
  operator: 'operations and finance: runs, exceptions, replay, payouts',
  viewer: 'read only',
};
