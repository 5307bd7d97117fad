// Words of a field name, path or description, normalised so that `unit_price`, `unitPrice`, `UnitPrice` and
// "unit price" agree, common ERP abbreviations (qty, amt, ref, addr...) read as the word, and the synonyms ERPs use
// for the same thing (party/partner/entity = customer, invoice/bill = billing...) meet on one concept.

/** Abbreviations expanded before anything else. */
const ABBREVIATIONS: Record<string, string[]> = {
  qty: ['quantity'],
  amt: ['amount'],
  ref: ['reference'],
  refs: ['reference'],
  addr: ['address'],
  adr: ['address'],
  desc: ['description'],
  descr: ['description'],
  no: ['number'],
  nr: ['number'],
  num: ['number'],
  nbr: ['number'],
  cur: ['currency'],
  curr: ['currency'],
  ccy: ['currency'],
  cust: ['customer'],
  ext: ['external'],
  doc: ['document'],
  dt: ['date'],
  tel: ['phone'],
  tran: ['transaction'],
  trans: ['transaction'],
  txn: ['transaction'],
  org: ['organization'],
  iso: [],
  uom: ['unit'],
  pct: ['percent'],
  perc: ['percent'],
  id: ['id'],
  ids: ['id'],
  sku: ['sku'],
  po: ['purchase', 'order'],
  email: ['email'],
  mail: ['email'],
  addr1: ['address', '1'],
  addr2: ['address', '2'],
  postcode: ['zip'],
  zipcode: ['zip'],
  vat: ['tax'],
  taxes: ['tax'],
  gst: ['tax'],
  cty: ['city'],
  ctry: ['country'],
  wh: ['warehouse'],
  loc: ['location'],
  lineno: ['line', 'number'],
  dateorder: ['date', 'order'],
};

/** Synonyms: each word on the left reads as the concept on the right. */
const CONCEPTS: Record<string, string> = {
  party: 'customer',
  partner: 'customer',
  entity: 'customer',
  client: 'customer',
  buyer: 'customer',
  debtor: 'customer',
  invoice: 'billing',
  invoicing: 'billing',
  bill: 'billing',
  billto: 'billing',
  delivery: 'shipping',
  shipment: 'shipping',
  ship: 'shipping',
  shipto: 'shipping',
  deliver: 'shipping',
  memo: 'note',
  comment: 'note',
  remark: 'note',
  remarks: 'note',
  telephone: 'phone',
  mobile: 'phone',
  postal: 'zip',
  state: 'province',
  subdivision: 'province',
  region: 'province',
  county: 'province',
  location: 'warehouse',
  stock: 'warehouse',
  site: 'warehouse',
  rebate: 'discount',
  reduction: 'discount',
  'e-mail': 'email',
  street: 'street',
  sale: 'order',
  sales: 'order',
  identifier: 'id',
  qty: 'quantity',
  cost: 'price',
};

const STOP = new Set([
  'the',
  'a',
  'an',
  'of',
  'for',
  'to',
  'in',
  'on',
  'and',
  'or',
  'is',
  'are',
  'be',
  'by',
  'with',
  'as',
  'at',
  'this',
  'that',
  'it',
  'its',
  'if',
  'when',
  'which',
  'from',
  'into',
  'was',
  'were',
  'has',
  'have',
  'can',
  'not',
  'any',
  'such',
  'e',
  'g',
  'eg',
  'ie',
  'example',
  'returns',
  'null',
  'field',
  'value',
  'specifies',
  'specified',
  'set',
  'use',
  'used',
  'given',
  'api',
  'https',
  'http',
  'www',
  'com',
  'wikipedia',
  'org',
  'wiki',
  'md',
  'shopify',
  'dev',
  'docs',
  'also',
  'only',
  'per',
  'than',
  'other',
  'more',
  'each',
  'all',
  'there',
  'their',
  'they',
  'will',
  'may',
  'might',
  'does',
  'do',
  'x',
  'y',
]);

function stem(w: string): string {
  if (w.length > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) return w.slice(0, -1);
  return w;
}

/** Splits camelCase, snake_case, kebab-case, dotted paths, `[]` and digits; lower-cases. */
export function splitWords(text: string): string[] {
  return text
    .replace(/\[\]/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-zA-Z])(\d)/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9-]+|-(?=\s|$)|(?<=\s|^)-/)
    .flatMap((w) => (w.includes('-') && w !== 'e-mail' ? w.split('-') : [w]))
    .filter(Boolean);
}

/** Two-word terms that are one thing (`post code`, `ship to`), joined before stop words go. */
const COMPOUNDS: Record<string, string> = {
  'post code': 'zip',
  'postal code': 'zip',
  'zip code': 'zip',
  'e mail': 'email',
  'ship to': 'shipping',
  'bill to': 'billing',
  'ref name': 'name',
  'sell to': 'customer',
  'sold to': 'customer',
  'deliver to': 'shipping',
  'invoice to': 'billing',
};

function joinCompounds(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!; // i < words.length
    const compound = COMPOUNDS[`${word} ${words[i + 1] ?? ''}`];
    if (compound) {
      out.push(compound);
      i++;
    } else out.push(word);
  }
  return out;
}

/** The normalised tokens (abbreviations expanded, stemmed, synonyms mapped to their concept, stop words dropped). */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of joinCompounds(splitWords(text))) {
    const expanded = ABBREVIATIONS[raw] ?? [raw];
    for (const w0 of expanded) {
      const w = stem(w0);
      if (STOP.has(w) || STOP.has(w0)) continue;
      out.push(CONCEPTS[w] ?? CONCEPTS[w0] ?? w);
    }
  }
  return out;
}

/** The words a token came from, for reasons people can read ("customer" also covers party, partner...). */
export function conceptNote(word: string): string | null {
  const raw = splitWords(word)[0] ?? word;
  const expanded = ABBREVIATIONS[raw]?.[0] ?? raw;
  const concept = CONCEPTS[stem(expanded)] ?? CONCEPTS[expanded];
  if (concept && concept !== raw) return `${raw} = ${concept}`;
  if (expanded !== raw) return `${raw} = ${expanded}`;
  return null;
}
