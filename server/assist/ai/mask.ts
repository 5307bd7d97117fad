// Personal data never leaves the process: before a prompt goes to a language model, every value of the sample that
// belongs to a person (the customer, the billing and shipping addresses, e-mails, phones, names) is replaced by a
// placeholder naming its kind, wherever it appears (a sample value, a reason quoting it), and anything that still
// looks like an e-mail address or a phone number is masked by pattern. Over-masking costs the model a hint;
// under-masking would send a customer's data to a third party.

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects whose every value is about a person. */
const PERSONAL_OBJECT =
  /^(customer|billingAddress|shippingAddress|billing_address|shipping_address|defaultAddress|default_address|address|addresses|destination|origin|contact|buyer|recipient|client_details|clientDetails|noteAttributes|note_attributes|customAttributes|custom_attributes)$/i;
/** Fields that are personal wherever they sit. */
const PERSONAL_FIELD =
  /^(e-?mail|contactEmail|contact_email|phone|mobile|firstName|first_name|lastName|last_name|fullName|full_name|name|company|address1|address2|street|city|zip|postcode|postalCode|postal_code|browserIp|browser_ip|ip|customerLocale|note)$/i;
/** A `name` is personal only beside a person's other fields; a line item's or a tax line's name is not. */
const NAME_ONLY_IN_PERSON = /^(name|company)$/i;

export type PersonalKind = 'email' | 'phone' | 'name' | 'address' | 'personal';

function kindOf(key: string): PersonalKind {
  if (/mail/i.test(key)) return 'email';
  if (/phone|mobile/i.test(key)) return 'phone';
  if (/name/i.test(key)) return 'name';
  if (/address|street|city|zip|post|province|country/i.test(key)) return 'address';
  return 'personal';
}

/** Inside a person's record: the fields that identify or locate them (not flags, states, currencies or ids). */
const PERSON_KEY =
  /name|mail|phone|mobile|address|street|city|zip|post|company|province|country|county|district|region|line|note|first|last|latitude|longitude|ip/i;

/** Every personal string in a sample (a name's parts too: "Jane Roe" also gives "Jane" and "Roe"), with its kind. */
export function personalValues(sample: unknown): Map<string, PersonalKind> {
  const out = new Map<string, PersonalKind>();
  const add = (v: unknown, kind: PersonalKind) => {
    if (typeof v !== 'string' && typeof v !== 'number') return;
    const s = String(v).trim();
    // One- or two-character values (a province code, "GB") are not identifying, and masking them would mangle text.
    if (s.length < 3) return;
    if (!out.has(s)) out.set(s, kind);
    if (kind === 'name') for (const part of s.split(/[\s,]+/)) if (part.length >= 3 && !out.has(part)) out.set(part, kind);
  };
  const walk = (v: unknown, key: string, inPerson: boolean) => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key, inPerson);
      return;
    }
    if (isObj(v)) {
      const person = inPerson || PERSONAL_OBJECT.test(key);
      for (const [k, x] of Object.entries(v)) walk(x, k, person);
      return;
    }
    if (inPerson ? PERSON_KEY.test(key) : PERSONAL_FIELD.test(key) && !NAME_ONLY_IN_PERSON.test(key)) add(v, kindOf(key));
  };
  walk(sample, '', false);
  return out;
}

/** Is a canonical path (`order.billingAddress.city`, `order.email`) personal? */
export function isPersonalPath(path: string): boolean {
  const segs = path.replace(/\[\]/g, '').split('.');
  return segs.some(
    (s, i) => PERSONAL_OBJECT.test(s) || (PERSONAL_FIELD.test(s) && !(NAME_ONLY_IN_PERSON.test(s) && i > 0 && !PERSONAL_OBJECT.test(segs[i - 1]!))),
  );
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// A phone number: a + or a separator between digit groups, at least 7 digits. Plain digit runs (order numbers, GIDs)
// and decimals (amounts) do not match.
const PHONE = /(?:\+\d[\d\s().-]{5,}\d|\(?\d{2,5}\)?[\s.-]\d{2,5}[\s.-]\d{2,6}(?:[\s.-]\d{1,6})?)/g;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Masker {
  private re: RegExp | null;
  private kinds: Map<string, PersonalKind>;
  constructor(personal: Map<string, PersonalKind>) {
    this.kinds = new Map([...personal].map(([k, v]) => [k.toLowerCase(), v]));
    // Longest first, so "Jane Roe" is masked whole before "Jane".
    const values = [...personal.keys()].sort((a, b) => b.length - a.length);
    this.re = values.length ? new RegExp(values.map(escapeRe).join('|'), 'gi') : null;
  }

  text(s: string): string {
    let out = s.replace(EMAIL, '<email>');
    if (this.re) out = out.replace(this.re, (m) => `<${this.kinds.get(m.toLowerCase()) ?? 'personal'}>`);
    return out.replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 ? '<phone>' : m));
  }

  /** A value about to be sent: strings masked, structures walked. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.value(x)) as T;
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)])) as T;
    return v;
  }
}
