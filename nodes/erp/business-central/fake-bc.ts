// A small local Business Central API v2.0 fake for contract tests, following Microsoft's documented shapes:
// Entra ID client-credentials token, company-scoped entity sets, OData $filter/$expand/$orderby and
// @odata.nextLink paging, @odata.etag + If-Match, deep insert of lines, bound actions (Microsoft.NAV.post,
// Microsoft.NAV.makeOrder: a sales quote becomes a sales order and the quote is deleted), tax always computed by BC
// from the line's tax group (the API's tax amounts are read-only), documents' paymentTermsId (the customer's unless
// given, the empty Guid for none),
// JSON $batch with Isolation: snapshot, {"error":{"code","message"}} bodies, 429 + Retry-After.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Decimal } from 'decimal.js';

type Rec = Record<string, any>;

export interface FakeBc {
  url: string;
  tokenUrl: string;
  sets: Map<string, Rec[]>;
  requests: Array<{ method: string; path: string; body: unknown; headers: IncomingMessage['headers'] }>;
  maxInFlight: number;
  throttle(n: number): void;
  /** Marks the order's lines shipped and creates its posted shipment. */
  ship(externalDocumentNumber: string): void;
  close(): Promise<void>;
}

const RATES: Record<string, string> = { TAXABLE: '0.10', NONTAX: '0' };
// How API v2.0 writes a Guid field with no value (an order or customer without payment terms).
const NIL = '00000000-0000-0000-0000-000000000000';
const PAGE = 2; // small pages so the connector has to follow @odata.nextLink

/** Splits on ` and ` / ` or ` outside string literals and parentheses (a searched text may hold either word). */
function splitTop(f: string, sep: ' and ' | ' or '): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f[i];
    if (c === "'")
      quoted = !quoted; // '' inside a literal toggles twice
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && f.startsWith(sep, i)) {
      out.push(f.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(f.slice(start));
  return out;
}

function evalFilter(f: string | null, r: Rec): boolean {
  if (!f) return true;
  return splitTop(f, ' and ').every((part) =>
    splitTop(part.trim().replace(/^\((.*)\)$/s, '$1'), ' or ').some((term) => {
      // contains(field,'text'): as Business Central's `*text*` filter, case-sensitive.
      const fn = term.trim().match(/^contains\((\w+),'((?:[^']|'')*)'\)$/);
      if (fn) return String(r[fn[1]!] ?? '').includes(fn[2]!.replace(/''/g, "'"));
      const [, field, op, quoted, bare] = term.trim().match(/^(\w+) (eq|ge|le|gt|lt) (?:'((?:[^']|'')*)'|(\S+))$/) ?? [];
      const x = quoted !== undefined ? quoted.replace(/''/g, "'") : bare;
      if (field === undefined || op === undefined || x === undefined) throw new Error(`fake BC cannot parse filter term: ${term}`);
      // OData compares unquoted numeric literals as numbers (entryNumber gt 9 holds for 10).
      if (quoted === undefined && typeof r[field] === 'number' && /^-?\d+(\.\d+)?$/.test(x)) {
        const a = r[field] as number,
          b = Number(x);
        return { eq: a === b, ge: a >= b, le: a <= b, gt: a > b, lt: a < b }[op as 'eq'];
      }
      const v = String(r[field] ?? '');
      return { eq: v === x, ge: v >= x, le: v <= x, gt: v > x, lt: v < x }[op as 'eq'];
    }),
  );
}

export async function startFakeBc(opts: {
  tenant: string;
  env: string;
  companyId: string;
  clientId: string;
  clientSecret: string;
  delayMs?: number;
}): Promise<FakeBc> {
  const etag = () => `W/"JzE5OzE${randomUUID().slice(0, 8)}MDsn"`;
  const sets = new Map<string, Rec[]>([
    [
      'items',
      [
        { id: randomUUID(), number: 'IPOD2008GREEN', displayName: 'IPod Nano - 8GB Green', type: 'Inventory', unitPrice: 199, inventory: 120, blocked: false },
        { id: randomUUID(), number: 'MUG-BLACK', displayName: 'Black Mug', type: 'Inventory', unitPrice: 12, inventory: 90, blocked: false },
        { id: randomUUID(), number: 'SHIPPING', displayName: 'Shipping', type: 'Service', unitPrice: 0, inventory: 0, blocked: false },
        {
          id: randomUUID(),
          number: 'MUG-GIFTBOX',
          displayName: 'Black Mug gift box (discontinued)',
          type: 'Service',
          unitPrice: 4,
          inventory: 0,
          blocked: true,
        },
      ],
    ],
    [
      'locations',
      [
        { id: randomUUID(), code: 'WH', displayName: 'Main Warehouse' },
        { id: randomUUID(), code: 'WH2', displayName: 'East Warehouse' },
      ],
    ],
    [
      'taxGroups',
      [
        { id: randomUUID(), code: 'TAXABLE', displayName: 'Taxable' },
        { id: randomUUID(), code: 'NONTAX', displayName: 'Non-taxable' },
      ],
    ],
    [
      'paymentTerms',
      [
        ['COD', 'Cash on delivery', '0D'],
        ['14 DAYS', 'Net 14 days', '14D'],
        ['30 DAYS', 'Net 30', '30D'],
        ['60 DAYS', 'Net 60 days', '60D'],
      ].map(([code, displayName, dueDateCalculation]) => ({
        id: randomUUID(),
        code,
        displayName,
        dueDateCalculation,
        discountDateCalculation: '',
        discountPercent: 0,
        calculateDiscountOnCreditMemos: false,
        lastModifiedDateTime: '2026-01-05T09:00:00Z',
      })),
    ],
    ['customers', []],
    ['salesQuotes', []],
    ['salesOrders', []],
    ['salesShipments', []],
    ['salesInvoices', []],
    ['salesCreditMemos', []],
    ['journals', [{ id: randomUUID(), code: 'GENERAL', displayName: 'General' }]],
    ['journalLines', []],
    ['generalLedgerEntries', []],
    // API v2.0 itemLedgerEntries (read-only): every stock movement, numbered in posting order.
    ['itemLedgerEntries', []],
  ]);
  const requests: FakeBc['requests'] = [];
  const tokens = new Set<string>();
  let throttleLeft = 0;
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  let seq = 1;
  let glEntry = 1;
  // biome-ignore lint/correctness/noComponentHookFactories: a one-letter getter, not a React component
  const G = (k: string) => sets.get(k)!;

  function priceLines(lines: Rec[], parentKey: string, parentId: string): Rec[] {
    return lines.map((l, i) => {
      const net = new Decimal(l.unitPrice ?? 0)
        .times(l.quantity ?? 1)
        .minus(l.discountAmount ?? 0)
        .toDecimalPlaces(2);
      const tax = net.times(RATES[l.taxCode] ?? '0').toDecimalPlaces(2);
      return {
        id: randomUUID(),
        [parentKey]: parentId,
        sequence: (i + 1) * 10000,
        description: l.description ?? l.lineObjectNumber,
        discountAmount: 0,
        taxCode: '',
        locationId: '00000000-0000-0000-0000-000000000000',
        ...l,
        netAmount: net.toNumber(),
        netTaxAmount: tax.toNumber(),
        netAmountIncludingTax: net.plus(tax).toNumber(),
        shippedQuantity: 0,
      };
    });
  }

  function totals(lines: Rec[]) {
    const net = lines.reduce((a, l) => a.plus(l.netAmount), new Decimal(0));
    const tax = lines.reduce((a, l) => a.plus(l.netTaxAmount), new Decimal(0));
    return { totalAmountExcludingTax: net.toNumber(), totalTaxAmount: tax.toNumber(), totalAmountIncludingTax: net.plus(tax).toNumber() };
  }

  const err = (status: number, code: string, message: string) => ({
    status,
    body: { error: { code, message: `${message}  CorrelationId:  ${randomUUID()}.` } },
  });

  /** One API operation, as a function so $batch can run several atomically. */
  function op(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Rec | undefined,
    headers: Record<string, string | undefined>,
  ): { status: number; body?: unknown } {
    const [, company, rest] = path.match(/^companies\(([^)]+)\)\/(.+)$/) ?? [];
    if (company !== opts.companyId || rest === undefined) return err(404, 'BadRequest_NotFound', 'The company does not exist.');
    const customerOf = (number: string) => G('customers').find((c) => c.number === number);
    let x: RegExpMatchArray | null;
    if ((x = rest.match(/^journals\(([^)]+)\)\/Microsoft\.NAV\.post$/)) && method === 'POST') {
      const lines = G('journalLines').filter((l) => l.journalId === x![1]);
      const bal = lines.reduce((a, l) => a.plus(l.amount), new Decimal(0));
      if (!bal.isZero()) return err(400, 'Application_DialogException', `Document No. ${lines[0]?.documentNumber} is out of balance by ${bal.toFixed(2)}.`);
      for (const l of lines) {
        G('generalLedgerEntries').push({
          id: randomUUID(),
          entryNumber: glEntry++,
          postingDate: l.postingDate,
          documentNumber: l.documentNumber,
          documentType: '',
          accountId: randomUUID(),
          accountNumber: l.accountNumber,
          description: l.description,
          debitAmount: Math.max(l.amount, 0),
          creditAmount: Math.max(-l.amount, 0),
          lastModifiedDateTime: new Date().toISOString(),
        });
      }
      sets.set(
        'journalLines',
        G('journalLines').filter((l) => l.journalId !== x![1]),
      );
      return { status: 204 };
    }
    if ((x = rest.match(/^journals\(([^)]+)\)\/journalLines(?:\(([^)]+)\))?$/))) {
      const jid = x[1];
      if (method === 'GET')
        return { status: 200, body: { value: G('journalLines').filter((l) => l.journalId === jid && evalFilter(query.get('$filter'), l)) } };
      if (method === 'POST') {
        if (!['1000', '1190', '6100'].includes(body!.accountNumber))
          return err(400, 'Internal_RecordNotFound', `The G/L Account does not exist. Identification fields and values: No.='${body!.accountNumber}'`);
        const line = { id: randomUUID(), journalId: jid, '@odata.etag': etag(), ...body };
        G('journalLines').push(line);
        return { status: 201, body: line };
      }
      if (method === 'DELETE') {
        sets.set(
          'journalLines',
          G('journalLines').filter((l) => l.id !== x![2]),
        );
        return { status: 204 };
      }
    }
    if ((x = rest.match(/^salesQuotes\(([^)]+)\)\/Microsoft\.NAV\.makeOrder$/)) && method === 'POST') {
      const quote = G('salesQuotes').find((q) => q.id === x![1]);
      if (!quote) return err(404, 'BadRequest_NotFound', 'The sales quote does not exist.');
      const id = randomUUID();
      const lines = priceLines(
        quote.salesQuoteLines.map(
          ({ id: _i, documentId: _d, netAmount: _n, netTaxAmount: _t, netAmountIncludingTax: _g, shippedQuantity: _s, ...l }: Rec) => l,
        ),
        'documentId',
        id,
      );
      const { salesQuoteLines: _q, id: _qid, number: _no, status: _st, documentDate, ...head } = quote;
      G('salesOrders').push({
        ...head,
        id,
        '@odata.etag': etag(),
        number: `S-ORD${String(seq++).padStart(6, '0')}`,
        orderDate: documentDate,
        status: 'Open',
        fullyShipped: false,
        salesOrderLines: lines,
        ...totals(lines),
      });
      sets.set(
        'salesQuotes',
        G('salesQuotes').filter((q) => q !== quote),
      );
      return { status: 204 };
    }
    if ((x = rest.match(/^salesCreditMemos\(([^)]+)\)\/Microsoft\.NAV\.post$/)) && method === 'POST') {
      const memo = G('salesCreditMemos').find((c) => c.id === x![1]);
      if (!memo) return err(404, 'BadRequest_NotFound', 'The credit memo does not exist.');
      memo.status = 'Open';
      memo.number = memo.number.replace(/^S-CR/, 'PS-CR');
      const inv = G('items');
      for (const l of memo.salesCreditMemoLines)
        if (l.lineType === 'Item') {
          const it = inv.find((i) => i.number === l.lineObjectNumber);
          if (it?.type !== 'Inventory') continue;
          it.inventory += l.quantity;
          const entries = G('itemLedgerEntries');
          entries.push({
            id: randomUUID(),
            entryNumber: entries.length + 1,
            itemNumber: it.number,
            postingDate: memo.creditMemoDate,
            entryType: 'Sale',
            documentNumber: memo.number,
            quantity: l.quantity,
          });
        }
      return { status: 204 };
    }
    const [, setName, key] = rest.match(/^(\w+)(?:\(([^)]+)\))?$/) ?? [];
    if (setName === undefined || !sets.has(setName)) return err(404, 'BadRequest_NotFound', `Resource not found for the segment '${rest}'.`);
    const set = G(setName);
    if (method === 'GET') {
      let rows = set.filter((r) => evalFilter(query.get('$filter'), r));
      const ob = query.get('$orderby');
      if (ob)
        rows = [...rows].sort((a, b) => {
          for (const k of ob.split(',')) {
            const [f = ''] = k.trim().split(' ');
            if (a[f] !== b[f]) return a[f] < b[f] ? -1 : 1;
          }
          return 0;
        });
      if (query.has('$top')) rows = rows.slice(0, Number(query.get('$top')));
      const skip = Number(query.get('$skip') ?? 0);
      const page = rows.slice(skip, skip + PAGE);
      const expand = query.get('$expand');
      const value = page.map((r) => {
        const { salesOrderLines, salesQuoteLines, salesCreditMemoLines, salesShipmentLines, ...head } = r;
        return { ...head, ...(expand ? { [expand]: r[expand] } : {}) };
      });
      const next =
        skip + PAGE < rows.length
          ? (() => {
              const q = new URLSearchParams(query);
              q.set('$skip', String(skip + PAGE));
              return `__BASE__/${path}?${q}`;
            })()
          : undefined;
      return { status: 200, body: { '@odata.context': 'x', value, ...(next ? { '@odata.nextLink': next } : {}) } };
    }
    if (method === 'POST' && !key) {
      const id = randomUUID();
      if (setName === 'customers') {
        const c = { id, '@odata.etag': etag(), email: '', phoneNumber: '', paymentTermsId: NIL, ...body };
        set.push(c);
        return { status: 201, body: c };
      }
      if (setName === 'salesOrders' || setName === 'salesCreditMemos' || setName === 'salesQuotes') {
        const cust = customerOf(body!.customerNumber);
        if (!cust) return err(400, 'Internal_RecordNotFound', `The Customer does not exist. Identification fields and values: No.='${body!.customerNumber}'`);
        const linesKey = { salesOrders: 'salesOrderLines', salesCreditMemos: 'salesCreditMemoLines', salesQuotes: 'salesQuoteLines' }[setName];
        for (const l of body![linesKey] ?? []) {
          if (l.lineType === 'Item' && !G('items').some((i) => i.number === l.lineObjectNumber))
            return err(400, 'Internal_RecordNotFound', `The Item does not exist. Identification fields and values: No.='${l.lineObjectNumber}'`);
        }
        // The customer's payment terms unless the document names its own, which must exist (BC validates the relation).
        const terms = body!.paymentTermsId ?? cust.paymentTermsId ?? NIL;
        if (terms !== NIL && !G('paymentTerms').some((t) => t.id === terms))
          return err(400, 'Internal_RecordNotFound', `The Payment Terms does not exist. Identification fields and values: Id='${terms}'`);
        const lines = priceLines(body![linesKey] ?? [], setName === 'salesOrders' ? 'documentId' : 'documentId', id);
        const doc: Rec = {
          id,
          '@odata.etag': etag(),
          number: `${({ salesOrders: 'S-ORD', salesQuotes: 'S-QUO' } as Record<string, string>)[setName] ?? 'S-CR'}${String(seq++).padStart(6, '0')}`,
          customerId: cust.id,
          customerName: cust.displayName,
          status: setName === 'salesOrders' ? 'Open' : 'Draft',
          fullyShipped: false,
          currencyCode: '',
          ...body,
          paymentTermsId: terms,
          [linesKey]: lines,
          ...totals(lines),
        };
        set.push(doc);
        const { [linesKey]: _omit, ...head } = doc;
        return { status: 201, body: head };
      }
      return err(405, 'BadRequest_MethodNotAllowed', `'POST' is not allowed on ${setName}.`);
    }
    if ((method === 'PATCH' || method === 'DELETE') && key) {
      const r = set.find((y) => y.id === key);
      if (!r) return err(404, 'BadRequest_NotFound', 'The record does not exist.');
      if (!headers['if-match'])
        return err(
          428,
          'Request_PreconditionRequired',
          'Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.',
        );
      if (headers['if-match'] !== '*' && headers['if-match'] !== r['@odata.etag'])
        return err(412, 'Request_EntityChanged', 'Could not save the changes because the entity was changed by another user.');
      if (method === 'DELETE') {
        sets.set(
          setName,
          set.filter((y) => y !== r),
        );
        return { status: 204 };
      }
      Object.assign(r, body, { '@odata.etag': etag() });
      return { status: 200, body: r };
    }
    return err(405, 'BadRequest_MethodNotAllowed', `${method} not allowed`);
  }

  const server = createServer((req, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
        res.end(
          body === undefined ? undefined : JSON.stringify(body).replaceAll('__BASE__', `http://127.0.0.1:${port}/v2.0/${opts.tenant}/${opts.env}/api/v2.0`),
        );
      };
      try {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const url = new URL(req.url!, 'http://x');
        if (url.pathname === `/${opts.tenant}/oauth2/v2.0/token`) {
          const f = new URLSearchParams(raw);
          if (
            f.get('grant_type') !== 'client_credentials' ||
            f.get('client_id') !== opts.clientId ||
            f.get('client_secret') !== opts.clientSecret ||
            f.get('scope') !== 'https://api.businesscentral.dynamics.com/.default'
          ) {
            return reply(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
          }
          const t = randomUUID();
          tokens.add(t);
          return reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: t });
        }
        const prefix = `/v2.0/${opts.tenant}/${opts.env}/api/v2.0/`;
        if (!url.pathname.startsWith(prefix)) return reply(404, { error: { code: 'BadRequest_NotFound', message: 'no such environment' } });
        const path = decodeURIComponent(url.pathname.slice(prefix.length));
        const body = raw ? JSON.parse(raw) : undefined;
        requests.push({ method: req.method!, path: `${path}${url.search}`, body, headers: req.headers });
        if (!tokens.has((req.headers.authorization ?? '').replace(/^Bearer /, '')))
          return reply(401, { error: { code: 'Authentication_InvalidCredentials', message: 'The server has rejected the client credentials.' } });
        if (throttleLeft > 0) {
          throttleLeft--;
          return reply(429, { error: { code: 'Application_TooManyRequests', message: 'Too Many Requests' } }, { 'retry-after': '0' });
        }
        if (path === '$batch') {
          const snapshot = new Map([...sets].map(([k, v]) => [k, structuredClone(v)]));
          const responses = [];
          for (const r of body.requests as Rec[]) {
            const u = new URL(r.url, 'http://x');
            const out = op(
              r.method,
              decodeURIComponent(u.pathname.replace(/^\//, '')),
              u.searchParams,
              r.body,
              Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
            );
            responses.push({ id: r.id, status: out.status, headers: {}, body: out.body });
            if (out.status >= 300 && req.headers.isolation === 'snapshot') {
              for (const [k, v] of snapshot) sets.set(k, v);
              break;
            }
          }
          return reply(200, { responses });
        }
        const out = op(req.method!, path, url.searchParams, body, req.headers as Record<string, string>);
        return reply(out.status, out.body);
      } catch (e) {
        reply(500, { error: { code: 'Internal_ServerError', message: String(e) } });
      } finally {
        inFlight--;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v2.0/${opts.tenant}/${opts.env}/api/v2.0`,
    tokenUrl: `http://127.0.0.1:${port}/${opts.tenant}/oauth2/v2.0/token`,
    sets,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    throttle: (n) => void (throttleLeft = n),
    ship(ext) {
      const o = G('salesOrders').find((x) => x.externalDocumentNumber === ext)!;
      for (const l of o.salesOrderLines) l.shippedQuantity = l.quantity;
      o.fullyShipped = true;
      G('salesShipments').push({
        id: randomUUID(),
        number: `S-SHP${String(seq++).padStart(6, '0')}`,
        externalDocumentNumber: ext,
        orderNumber: o.number,
        customerNumber: o.customerNumber,
        shippingAgentCode: 'UPS',
        lastModifiedDateTime: new Date(Date.now() + seq).toISOString(),
        salesShipmentLines: o.salesOrderLines.map((l: Rec) => ({ lineType: l.lineType, lineObjectNumber: l.lineObjectNumber, quantity: l.quantity })),
      });
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
