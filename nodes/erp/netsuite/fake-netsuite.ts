// A small local NetSuite REST fake for contract tests, following Oracle's documented shapes: OAuth 2.0 M2M token
// endpoint (JWT client assertion verified with the certificate's public key), Bearer auth, record service with
// eid: keys, 204 + Location on create, duplicate external ids rejected, SuiteQL with Prefer: transient and paging
// fields, NetSuite error bodies (type/title/status/o:errorDetails), and throttling (429 / SSS_REQUEST_LIMIT_EXCEEDED).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verify, constants, type KeyObject } from 'node:crypto';
import { Decimal } from 'decimal.js';

type Rec = Record<string, any>;

export interface FakeNetSuite {
  url: string;
  records: Map<string, Map<string, Rec>>;
  /** The account's term list ({ id, name, isinactive }): tests add terms made "since the connector read it". */
  terms: Rec[];
  requests: Array<{ method: string; path: string; body: unknown; headers: IncomingMessage['headers'] }>;
  maxInFlight: number;
  /** Next N API requests answer with this throttle. */
  throttle(n: number, kind: '429' | 'SSS_REQUEST_LIMIT_EXCEEDED'): void;
  revokeTokens(): void;
  /** An inventory adjustment (an inventory-affecting transaction) moving `delta` of `sku` at `location`, saved at `at`. */
  adjustStock(sku: string, location: string, delta: number, at: string): void;
  close(): Promise<void>;
}

const ITEMS: Rec[] = [
  { id: 11, itemid: 'IPOD2008GREEN', displayname: 'IPod Nano - 8GB Green', itemtype: 'InvtPart', isinactive: 'F' },
  { id: 12, itemid: 'MUG-BLACK', displayname: 'Black Mug', itemtype: 'InvtPart', isinactive: 'F' },
  { id: 13, itemid: 'LENS-PROTECT-2YR', displayname: 'Lens Protection Plan', itemtype: 'Service', isinactive: 'F' },
  { id: 14, itemid: 'MUG_BLACK_OLD', displayname: 'Black Mug (discontinued)', itemtype: 'InvtPart', isinactive: 'T' },
];
/** Oracle's LIKE with `\` as its escape character, as a regular expression over the whole value. */
function likePattern(like: string): RegExp {
  let re = '';
  for (let i = 0; i < like.length; i++) {
    const c = like[i]!;
    if (c === '\\') re += (like[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const LOCATIONS = [
  { id: 1, name: 'WH' },
  { id: 2, name: 'WH2' },
];
const CURRENCIES = [
  { id: 1, symbol: 'USD' },
  { id: 2, symbol: 'EUR' },
];
const ACCOUNTS = [
  { id: 101, acctnumber: '1000' },
  { id: 119, acctnumber: '1190' },
  { id: 161, acctnumber: '6100' },
];
// The term list (Setup > Accounting > Accounting Lists > Term): "Net 90" is inactive, so refused as a reference.
const TERMS = [
  { id: 1, name: 'Net 15', isinactive: 'F' },
  { id: 2, name: 'Net 30', isinactive: 'F' },
  { id: 3, name: 'Net 60', isinactive: 'F' },
  { id: 4, name: 'Due on receipt', isinactive: 'F' },
  { id: 7, name: 'Net 90', isinactive: 'T' },
];
const TAXES = [{ id: 5, itemid: 'US-SALES-10', description: 'Sales Tax 10%', rate: '10.00%' }];
const STOCK = [
  { item: 11, location: 1, onhand: 100, available: 96 },
  { item: 11, location: 2, onhand: 20, available: 20 },
  { item: 12, location: 1, onhand: 60, available: 60 },
];

function errorBody(status: number, code: string, detail: string) {
  return {
    type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
    title: status === 429 ? 'Too Many Requests' : status === 401 ? 'Unauthorized' : 'Bad Request',
    status,
    'o:errorDetails': [{ detail, 'o:errorCode': code }],
  };
}

export async function startFakeNetSuite(publicKey: KeyObject, opts: { clientId: string; certificateId: string; delayMs?: number }): Promise<FakeNetSuite> {
  const records = new Map<string, Map<string, Rec>>(['customer', 'salesOrder', 'creditMemo', 'journalEntry', 'itemFulfillment'].map((t) => [t, new Map()]));
  const requests: FakeNetSuite['requests'] = [];
  const tokens = new Set<string>();
  let nextId = 1000;
  let inFlight = 0;
  let throttleLeft = 0;
  let throttleKind: '429' | 'SSS_REQUEST_LIMIT_EXCEEDED' = '429';
  const state = { maxInFlight: 0 };
  const stock = STOCK.map((x) => ({ ...x }));
  const terms: Rec[] = TERMS.map((t) => ({ ...t }));
  /** Inventory-affecting transactions: id, lastmodifieddate ('YYYY-MM-DD HH24:MI:SS'), item ids of their lines. */
  const stockTx: Array<{ id: number; modified: string; items: number[] }> = [];

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const tax = (id: unknown) => TAXES.find((t) => String(t.id) === String(id));
  const ref = (list: Rec[], id: unknown, name: string) => {
    const x = list.find((l) => String(l.id) === String(id));
    return x ? { id: String(x.id), refName: x[name] } : undefined;
  };

  /**
   * What NetSuite computes on save: amounts, tax, totals, document number, status. Tax is computed from the tax
   * code's rate unless the transaction overrides its tax details (SuiteTax `taxDetailsOverride` with `taxDetails`
   * lines tied to item lines by `taxDetailsReference`, shipping by lineType "Shipping"): then the given amounts stand.
   */
  function complete(type: string, body: Rec, id: string): Rec {
    const lines = (body.item?.items ?? body.line?.items ?? []) as Rec[];
    const override = body.taxDetailsOverride === true;
    const details: Rec[] = override
      ? (body.taxDetails?.items ?? []).map((d: Rec) => {
          const t = tax(d.taxCode?.id);
          if (!t) throw Object.assign(new Error(`Invalid taxCode reference key ${d.taxCode?.id}.`), { nsCode: 'INVALID_KEY_OR_REF' });
          return { ...d, taxCode: { id: String(t.id), refName: t.itemid }, taxRate: Number(t.rate.replace('%', '')) };
        })
      : [];
    const overridden = (pick: (d: Rec) => boolean): Decimal => details.filter(pick).reduce((a: Decimal, d) => a.plus(d.taxAmount), new Decimal(0));
    let sub = new Decimal(0);
    let taxTotal = new Decimal(0);
    const outLines = lines.map((l, i) => {
      if (type === 'journalEntry')
        return { line: i, account: ref(ACCOUNTS, l.account?.id, 'acctnumber'), debit: l.debit ?? 0, credit: l.credit ?? 0, memo: l.memo };
      const amount = l.amount !== undefined ? new Decimal(l.amount) : new Decimal(l.rate).times(l.quantity ?? 1).toDecimalPlaces(2);
      const t = tax(l.taxCode?.id);
      const lt = override
        ? overridden((d) => d.taxDetailsReference === l.taxDetailsReference && d.lineType !== 'Shipping')
        : t
          ? amount.times(new Decimal(t.rate.replace('%', '')).div(100)).toDecimalPlaces(2)
          : new Decimal(0);
      sub = sub.plus(amount);
      taxTotal = taxTotal.plus(lt);
      const item = ITEMS.find((x) => String(x.id) === String(l.item?.id));
      return {
        line: i,
        item: { id: String(l.item?.id), refName: item?.itemid ?? `Discount ${l.item?.id}` },
        quantity: l.quantity,
        rate: l.rate,
        amount: amount.toNumber(),
        taxCode: t ? { id: String(t.id), refName: t.itemid } : undefined,
        tax1Amt: lt.toNumber(),
        description: l.description,
        location: ref(LOCATIONS, l.location?.id, 'name'),
        ...(l.taxDetailsReference ? { taxDetailsReference: l.taxDetailsReference } : {}),
      };
    });
    const ship = new Decimal(body.shippingCost ?? 0);
    const shipTax = override
      ? overridden((d) => d.lineType === 'Shipping')
      : ship.isZero() || !tax(body.shippingTaxCode?.id)
        ? new Decimal(0)
        : ship.times(0.1).toDecimalPlaces(2);
    taxTotal = taxTotal.plus(shipTax);
    const prefix = { salesOrder: 'SO', creditMemo: 'CM', journalEntry: 'JE', customer: 'C', itemFulfillment: 'IF' }[type] ?? 'X';
    const customer = body.entity?.id ? records.get('customer')!.get(String(body.entity.id)) : undefined;
    // A sales order without terms takes its customer's; an id naming no active term is refused as NetSuite does.
    const termKey = type !== 'salesOrder' ? undefined : body.terms ? body.terms.id : customer?.terms?.id;
    const term = termKey === undefined ? undefined : terms.find((t) => t.isinactive === 'F' && String(t.id) === String(termKey));
    if (type === 'salesOrder' && body.terms && !term)
      throw Object.assign(new Error(`Invalid terms reference key ${body.terms.id}.`), { nsCode: 'INVALID_KEY_OR_REF' });
    return {
      ...body,
      id,
      tranId: `${prefix}${id}`,
      ...(type === 'journalEntry' ? { line: { items: outLines } } : type === 'customer' ? {} : { item: { items: outLines } }),
      ...(customer ? { entity: { id: String(customer.id), refName: `${customer.firstName} ${customer.lastName}` } } : {}),
      currency: body.currency ? ref(CURRENCIES, body.currency.id, 'symbol') : undefined,
      location: body.location ? ref(LOCATIONS, body.location.id, 'name') : undefined,
      shippingTaxCode: body.shippingTaxCode ? { id: String(body.shippingTaxCode.id), refName: tax(body.shippingTaxCode.id)?.itemid } : undefined,
      shippingTax1Amt: shipTax.toNumber(),
      ...(type === 'salesOrder' ? { terms: term ? { id: String(term.id), refName: term.name } : undefined } : {}),
      ...(override ? { taxDetails: { items: details } } : {}),
      ...(type === 'salesOrder'
        ? body.orderStatus?.id === 'A'
          ? { status: { id: 'A', refName: 'Pending Approval' }, orderStatus: { id: 'A', refName: 'Pending Approval' } }
          : { status: { id: 'B', refName: 'Pending Fulfillment' }, orderStatus: { id: 'B', refName: 'Pending Fulfillment' } }
        : {}),
      ...(type !== 'customer' && type !== 'journalEntry'
        ? { subtotal: sub.toNumber(), taxTotal: taxTotal.toNumber(), total: sub.plus(ship).plus(taxTotal).toNumber() }
        : {}),
    };
  }

  function suiteql(qs: string): Rec[] {
    const inList = (col: string) =>
      [...(qs.match(new RegExp(`${col} IN \\(([^)]*)\\)`))?.[1] ?? '').matchAll(/'(?:[^']|'')*'/g)].map(([quoted]) => quoted.slice(1, -1).replace(/''/g, "'"));
    if (/FROM item\b/.test(qs) && / LIKE /.test(qs)) {
      // A search: `UPPER(col) LIKE '%TEXT%' ESCAPE '\'` over item code and display name, active items, by code.
      const m = qs.match(/UPPER\(itemid\) LIKE '((?:[^']|'')*)' ESCAPE '\\' OR UPPER\(displayname\) LIKE '((?:[^']|'')*)' ESCAPE '\\'/);
      if (!m || m[1] !== m[2] || !/isinactive = 'F'/.test(qs) || !/ORDER BY itemid$/.test(qs))
        throw new Error(`fake NetSuite cannot run this item search: ${qs}`);
      const pattern = likePattern(m[1]!.replace(/''/g, "'"));
      return ITEMS.filter(
        (i) => i.isinactive === 'F' && (pattern.test(i.itemid.toUpperCase()) || pattern.test(String(i.displayname ?? '').toUpperCase())),
      ).sort((a, b) => (a.itemid < b.itemid ? -1 : 1));
    }
    if (/FROM item\b/.test(qs)) {
      const skus = inList('itemid');
      return ITEMS.filter((i) => skus.includes(i.itemid));
    }
    if (/FROM location/.test(qs)) return LOCATIONS.map((l) => ({ id: l.id, code: l.name }));
    if (/FROM currency/.test(qs)) return CURRENCIES.map((c) => ({ id: c.id, code: c.symbol }));
    if (/FROM account/.test(qs)) return ACCOUNTS.map((a) => ({ id: a.id, code: a.acctnumber }));
    if (/FROM term\b/.test(qs) && /name AS code/.test(qs))
      return terms.filter((t) => !/isinactive = 'F'/.test(qs) || t.isinactive === 'F').map((t) => ({ id: t.id, code: t.name }));
    if (/FROM salestaxitem/.test(qs)) return /AS code/.test(qs) ? TAXES.map((t) => ({ id: t.id, code: t.itemid })) : TAXES;
    if (/FROM inventoryitemlocations/.test(qs)) {
      const skus = inList('i.itemid');
      const locs = inList('l.name');
      return stock
        .map((s) => ({
          sku: ITEMS.find((i) => i.id === s.item)!.itemid,
          warehouse: LOCATIONS.find((l) => l.id === s.location)!.name,
          onhand: s.onhand,
          available: s.available,
        }))
        .filter((r) => (!skus.length || skus.includes(r.sku)) && (!locs.length || locs.includes(r.warehouse)));
    }
    if (/FROM transaction t\b/.test(qs) && /t\.type = 'SalesOrd'/.test(qs)) {
      // SuiteQL answers the transaction table's columns in lower case, the status as its letter code.
      const ids = inList('t.externalid');
      return [...records.get('salesOrder')!.values()]
        .filter((r) => ids.includes(r.externalId))
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((r) => ({
          id: Number(r.id),
          externalid: r.externalId,
          tranid: r.tranId,
          trandate: r.tranDate,
          status: r.status?.id ?? 'B',
          currency: r.currency?.refName ?? null,
          foreigntotal: r.total,
          taxtotal: r.taxTotal,
        }));
    }
    if (/FROM transactionaccountingline/.test(qs)) {
      const [, from] = qs.match(/BETWEEN TO_DATE\('([^']+)'/) ?? [];
      const [, to] = qs.match(/AND TO_DATE\('([^']+)'/) ?? [];
      if (from === undefined || to === undefined) throw new Error(`fake NetSuite needs a date range: ${qs}`);
      const accts = inList('a.acctnumber');
      const out: Rec[] = [];
      for (const je of records.get('journalEntry')!.values()) {
        if (je.tranDate < from || je.tranDate > to) continue;
        for (const l of je.line.items) {
          if (accts.length && !accts.includes(l.account.refName)) continue;
          out.push({
            entryid: Number(je.id),
            lineid: l.line,
            tranid: je.tranId,
            trandate: je.tranDate,
            acctnumber: l.account.refName,
            debit: l.debit || null,
            credit: l.credit || null,
            memo: l.memo,
            externalid: je.externalId,
            type: 'Journal',
          });
        }
      }
      return out;
    }
    if (/FROM transactionline tl/.test(qs) && /isinventoryaffecting = 'T'/.test(qs)) {
      const at = qs.match(/t\.lastmodifieddate > TO_TIMESTAMP\('([^']+)'/)?.[1];
      const after = Number(qs.match(/t\.id > (\d+)/)?.[1] ?? 0);
      return stockTx
        .filter((t) => !at || t.modified > at || (t.modified === at && t.id > after))
        .sort((a, b) => (a.modified < b.modified ? -1 : a.modified > b.modified ? 1 : a.id - b.id))
        .flatMap((t) =>
          t.items
            .map((item) => ({ sku: ITEMS.find((i) => i.id === item)!.itemid, id: t.id, modified: t.modified }))
            .filter((r) => ITEMS.find((i) => i.itemid === r.sku)!.itemtype === 'InvtPart'),
        );
    }
    if (/type = 'ItemShip'/.test(qs)) {
      return [...records.get('itemFulfillment')!.values()].map((f) => ({ id: Number(f.id), modified: f.modified }));
    }
    throw new Error(`fake SuiteQL cannot answer: ${qs}`);
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      try {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const url = new URL(req.url!, 'http://x');
        const path = url.pathname.replace(/^\/services\/rest\//, '');
        if (path === 'auth/oauth2/v1/token') {
          const form = new URLSearchParams(raw);
          const [h, p, s] = (form.get('client_assertion') ?? '').split('.');
          const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString() || '{}');
          const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString() || '{}');
          const ok =
            form.get('grant_type') === 'client_credentials' &&
            form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' &&
            header.kid === opts.certificateId &&
            header.alg === 'PS256' &&
            payload.iss === opts.clientId &&
            payload.exp > Date.now() / 1000 &&
            verify(
              'sha256',
              Buffer.from(`${h}.${p}`),
              { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
              Buffer.from(s ?? '', 'base64url'),
            );
          if (!ok) return send(res, 400, { error: 'invalid_client', error_description: 'Invalid client assertion' });
          const token = `tok-${nextId++}`;
          tokens.add(token);
          return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
        }
        const body = raw ? JSON.parse(raw) : undefined;
        requests.push({ method: req.method!, path: `${path}${url.search}`, body, headers: req.headers });
        const auth = req.headers.authorization ?? '';
        if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) return send(res, 401, errorBody(401, 'INVALID_LOGIN', 'Invalid login attempt.'));
        if (throttleLeft > 0) {
          throttleLeft--;
          return throttleKind === '429'
            ? send(res, 429, errorBody(429, 'CONCURRENCY_LIMIT_EXCEEDED', 'Concurrent request limit exceeded. Request blocked.'), { 'retry-after': '0' })
            : send(res, 400, errorBody(400, 'SSS_REQUEST_LIMIT_EXCEEDED', 'Request limit exceeded.'));
        }
        if (path === 'query/v1/suiteql' && req.method === 'POST') {
          if (req.headers.prefer !== 'transient') return send(res, 400, errorBody(400, 'INVALID_HEADER', 'Prefer: transient is required for SuiteQL.'));
          const items = suiteql(body.q);
          const limit = Number(url.searchParams.get('limit') ?? 1000);
          const offset = Number(url.searchParams.get('offset') ?? 0);
          const page = items.slice(offset, offset + limit);
          return send(res, 200, {
            links: [],
            count: page.length,
            hasMore: offset + limit < items.length,
            offset,
            totalResults: items.length,
            items: page.map((i) => ({ links: [], ...i })),
          });
        }
        const [, type, rawKey] = path.match(/^record\/v1\/(\w+)(?:\/([^/?]+))?$/) ?? [];
        const table = type === undefined ? undefined : records.get(type);
        if (type === undefined || !table) return send(res, 404, errorBody(404, 'NONEXISTENT_ID', `Record type ${path} not found.`));
        const key = rawKey ? decodeURIComponent(rawKey) : undefined;
        const find = (k: string) => (k.startsWith('eid:') ? [...table.values()].find((r) => r.externalId === k.slice(4)) : table.get(k));
        if (req.method === 'GET' && key) {
          const r = find(key);
          return r
            ? send(res, 200, r)
            : send(res, 404, errorBody(404, 'NONEXISTENT_ID', `The record instance does not exist. Provide a valid record instance ID.`));
        }
        if (req.method === 'POST' && !key) {
          if (body.externalId && [...table.values()].some((r) => r.externalId === body.externalId))
            return send(res, 400, errorBody(400, 'DUP_RCRD', 'This record already exists.'));
          if (body.tranDate === '1999-01-01') return send(res, 400, errorBody(400, 'USER_ERROR', 'The transaction date falls in a closed period.'));
          const id = String(nextId++);
          let rec: Rec;
          try {
            rec = complete(type, body, id);
          } catch (e) {
            return send(res, 400, errorBody(400, (e as { nsCode?: string }).nsCode ?? 'USER_ERROR', (e as Error).message));
          }
          table.set(id, rec);
          return send(res, 204, undefined, { location: `${url.origin}/services/rest/record/v1/${type}/${id}` });
        }
        if (req.method === 'PUT' && key?.startsWith('eid:')) {
          const existing = find(key);
          const id = existing?.id ?? String(nextId++);
          table.set(id, { ...(existing ?? {}), ...body, id, externalId: key.slice(4) });
          return send(res, 204, undefined, { location: `${url.origin}/services/rest/record/v1/${type}/${id}` });
        }
        if (req.method === 'PATCH' && key) {
          const r = find(key);
          if (!r) return send(res, 404, errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.'));
          if (body.item?.items?.every((l: Rec) => l.isClosed)) r.status = { id: 'H', refName: 'Closed' };
          // Approving a Pending Approval order (orderStatus A -> B).
          if (type === 'salesOrder' && body.orderStatus?.id === 'B' && r.orderStatus?.id === 'A')
            r.status = r.orderStatus = { id: 'B', refName: 'Pending Fulfillment' };
          return send(res, 204);
        }
        if (req.method === 'DELETE' && key) {
          const r = find(key);
          if (!r) return send(res, 404, errorBody(404, 'NONEXISTENT_ID', 'The record instance does not exist.'));
          table.delete(String(r.id));
          return send(res, 204);
        }
        return send(res, 405, errorBody(405, 'METHOD_NOT_ALLOWED', `${req.method} not allowed`));
      } catch (e) {
        send(res, 500, errorBody(500, 'UNEXPECTED_ERROR', String(e)));
      } finally {
        inFlight--;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}/services/rest`,
    records,
    terms,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    throttle(n, kind) {
      throttleLeft = n;
      throttleKind = kind;
    },
    revokeTokens: () => tokens.clear(),
    adjustStock(sku, location, delta, at) {
      const item = ITEMS.find((i) => i.itemid === sku)!;
      const loc = LOCATIONS.find((l) => l.name === location)!;
      let row = stock.find((x) => x.item === item.id && x.location === loc.id);
      if (!row) stock.push((row = { item: item.id, location: loc.id, onhand: 0, available: 0 }));
      row.onhand += delta;
      row.available += delta;
      const hit = stockTx.find((t) => t.modified === at);
      if (hit) hit.items.push(item.id);
      else stockTx.push({ id: nextId++, modified: at, items: [item.id] });
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
