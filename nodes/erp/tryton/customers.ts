// Customers are Tryton parties whose unique `code` is the Shopify customer id.
import type { Address, CustomerInput, ErpCustomer, Posted } from '../contract.ts';
import { erpError } from '../shared/errors.ts';
import type { TrytonRpc } from './rpc.ts';

interface PartyRow {
  id: number;
  code: string;
  name: string;
  contact_mechanisms: number[];
  addresses: number[];
}

export async function findParty(rpc: TrytonRpc, externalId: string): Promise<PartyRow | null> {
  const rows = await rpc.model<PartyRow[]>('party.party', 'search_read', [
    [['code', '=', externalId]],
    0,
    1,
    null,
    ['code', 'name', 'contact_mechanisms', 'addresses'],
  ]);
  return rows[0] ?? null;
}

/** The party's first address: the one its documents use (a party written here always has one). */
function addressOf(party: PartyRow): number {
  const [address] = party.addresses;
  if (address === undefined)
    throw erpError('tryton', `party ${party.code} (id ${party.id}) has no address`, {
      errorClass: 'permanent',
      code: 'ERP_STATE',
      details: { partyId: party.id },
    });
  return address;
}

async function contacts(rpc: TrytonRpc, ids: number[]): Promise<Array<{ id: number; type: string; value: string }>> {
  if (!ids.length) return [];
  return rpc.model('party.contact_mechanism', 'read', [ids, ['type', 'value']]);
}

function addressValues(c: CustomerInput) {
  return valuesOf(c.address ?? {}, c.name);
}

function valuesOf(a: Address, fallbackName: string) {
  const street = [a.street, a.street2].filter(Boolean).join('\n');
  return { name: a.name ?? fallbackName, street: street || null, city: a.city ?? null, postal_code: a.zip ?? null };
}

type AddressValues = ReturnType<typeof valuesOf>;
const sameText = (x: string | null | undefined, y: string | null | undefined) => (x ?? '').trim().toLowerCase() === (y ?? '').trim().toLowerCase();
const sameAddress = (x: AddressValues, y: AddressValues) =>
  sameText(x.name, y.name) && sameText(x.street, y.street) && sameText(x.city, y.city) && sameText(x.postal_code, y.postal_code);

/**
 * The party's addresses that are `wanted` (each by name, street, city and postal code), added to the party when it has
 * none such: an order's invoice and shipment go where that order says, not to the first address the customer ever had.
 * The party's addresses are read once for all of them. Addresses are only ever added, so documents already pointing at
 * one keep it.
 */
export async function addressesFor(rpc: TrytonRpc, partyId: number, wanted: Address[], fallbackName: string): Promise<number[]> {
  const rows = await rpc.model<Array<AddressValues & { id: number }>>('party.address', 'search_read', [
    [['party', '=', partyId]],
    0,
    null,
    null,
    ['name', 'street', 'city', 'postal_code'],
  ]);
  const ids: number[] = [];
  for (const a of wanted) {
    const values = valuesOf(a, fallbackName);
    let id = rows.find((r) => sameAddress(r, values))?.id;
    if (id === undefined) {
      id = await rpc.createOne('party.address', { party: partyId, ...values });
      rows.push({ ...values, id });
    }
    ids.push(id);
  }
  return ids;
}

export async function readCustomer(rpc: TrytonRpc, party: PartyRow): Promise<ErpCustomer> {
  const cm = await contacts(rpc, party.contact_mechanisms);
  return {
    id: String(party.id),
    externalId: party.code,
    name: party.name,
    email: cm.find((c) => c.type === 'email')?.value ?? null,
    phone: cm.find((c) => c.type === 'phone' || c.type === 'mobile')?.value ?? null,
  };
}

/** Creates or updates; `created` tells which. Contact mechanisms are added when new, never deleted. */
export async function upsertParty(rpc: TrytonRpc, c: CustomerInput): Promise<Posted<ErpCustomer> & { partyId: number; addressId: number }> {
  const existing = await findParty(rpc, c.externalId);
  if (!existing) {
    const mechanisms = [...(c.email ? [{ type: 'email', value: c.email }] : []), ...(c.phone ? [{ type: 'phone', value: c.phone }] : [])];
    let id: number;
    try {
      id = await rpc.createOne('party.party', {
        name: c.name,
        code: c.externalId,
        addresses: [['create', [addressValues(c)]]],
        ...(mechanisms.length ? { contact_mechanisms: [['create', mechanisms]] } : {}),
      });
    } catch (e) {
      // Another run created the same customer between our search and our create (Tryton's code is unique): use it.
      if (/must be unique/i.test((e as Error).message) && (await findParty(rpc, c.externalId))) return upsertParty(rpc, c);
      throw e;
    }
    const party = (await findParty(rpc, c.externalId))!;
    return { created: true, document: await readCustomer(rpc, party), partyId: id, addressId: addressOf(party) };
  }
  const cm = await contacts(rpc, existing.contact_mechanisms);
  const add: Array<{ type: string; value: string }> = [];
  if (c.email && !cm.some((m) => m.type === 'email' && m.value === c.email)) add.push({ type: 'email', value: c.email });
  if (c.phone && !cm.some((m) => (m.type === 'phone' || m.type === 'mobile') && m.value === c.phone)) add.push({ type: 'phone', value: c.phone });
  const write: Record<string, unknown> = {};
  if (existing.name !== c.name) write.name = c.name;
  if (add.length) write.contact_mechanisms = [['create', add]];
  if (!existing.addresses.length) write.addresses = [['create', [addressValues(c)]]];
  if (Object.keys(write).length) await rpc.model('party.party', 'write', [[existing.id], write]);
  const party = Object.keys(write).length ? (await findParty(rpc, c.externalId))! : existing;
  return { created: false, document: await readCustomer(rpc, party), partyId: party.id, addressId: addressOf(party) };
}

/** The party for a document: found by external id, created when missing (an existing one is left as is). */
export async function ensureParty(rpc: TrytonRpc, c: CustomerInput): Promise<{ partyId: number; addressId: number; name: string }> {
  const existing = await findParty(rpc, c.externalId);
  if (existing?.addresses.length) return { partyId: existing.id, addressId: addressOf(existing), name: existing.name };
  const r = await upsertParty(rpc, c);
  return { partyId: r.partyId, addressId: r.addressId, name: r.document.name };
}
