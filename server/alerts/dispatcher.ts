// Who hears about which exception, and when: high severity at once to the owning team, everything else in a
// digest; nothing during quiet hours (held for the first digest after); never twice for one occurrence (the
// exception's alertedAt, set atomically, survives restarts and is shared by every server on the data dir).
import type { ExceptionRecord, ExceptionService, Owner } from '../exceptions/store/index.ts';
import type { AlertMessage, Channel } from './channels.ts';

export interface QuietHours {
  timezone: string;
  /** HH:MM; a window may cross midnight (22:00-07:00). */
  from: string;
  to: string;
}

export interface AlertConfig {
  teams: Partial<Record<Owner, Channel[]>>;
  quietHours?: QuietHours;
  /** Digest period (default 1 h). */
  digestEveryMs?: number;
  /** Severities sent immediately (default high). */
  immediate?: Array<'low' | 'medium' | 'high'>;
  now?: () => number;
  log?: { warn(o: object, m?: string): void; error(o: object, m?: string): void };
  /** Where links in messages point, e.g. https://ledgerline.example.com */
  baseUrl?: string;
  /**
   * The workspace these exceptions belong to, named in every message and link: an operator of many merchants must
   * see whose books an alert is about. Absent for the default workspace (messages as before workspaces).
   */
  workspace?: string;
}

const minuteOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

export function inQuietHours(q: QuietHours | undefined, at: Date): boolean {
  if (!q) return false;
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: q.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  const m = Number(p.hour) * 60 + Number(p.minute);
  const from = minuteOf(q.from);
  const to = minuteOf(q.to);
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

function line(e: ExceptionRecord, baseUrl?: string, workspace?: string): string {
  const ws = workspace ? `?workspace=${encodeURIComponent(workspace)}` : '';
  const link = baseUrl ? ` ${baseUrl.replace(/\/$/, '')}/exceptions/${e.id}${ws}` : '';
  return `[${e.severity}] ${e.title}${e.count > 1 ? ` (x${e.count})` : ''} - ${e.type}${link}`;
}

export class AlertDispatcher {
  private timer?: NodeJS.Timeout;
  private listener = (e: ExceptionRecord) => void this.immediate(e);
  private sending = new Set<Promise<unknown>>();
  /** Exceptions being sent right now: a digest running meanwhile must not send them too. */
  private inFlight = new Set<string>();

  constructor(
    private svc: ExceptionService,
    private cfg: AlertConfig,
  ) {}

  private get tag(): string {
    return this.cfg.workspace ? `[Ledgerline · ${this.cfg.workspace}]` : '[Ledgerline]';
  }

  private get where(): { workspace?: string } {
    return this.cfg.workspace ? { workspace: this.cfg.workspace } : {};
  }

  start(): void {
    this.svc.events.on('opened', this.listener);
    this.timer = setInterval(() => void this.digest(), this.cfg.digestEveryMs ?? 3_600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.svc.events.off('opened', this.listener);
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.sending]);
  }

  private now = () => new Date((this.cfg.now ?? Date.now)());
  private quiet = () => inQuietHours(this.cfg.quietHours, this.now());

  /** Sends one exception right away when its severity calls for it and it is not quiet time. */
  async immediate(e: ExceptionRecord): Promise<boolean> {
    if (!(this.cfg.immediate ?? ['high']).includes(e.severity) || this.quiet() || e.alertedAt) return false;
    const p = this.deliver(e.owner, 'immediate', [e]);
    this.sending.add(p);
    try {
      return (await p) > 0;
    } finally {
      this.sending.delete(p);
    }
  }

  /** One message per owning team with every unresolved exception not alerted yet. Returns how many went out. */
  async digest(): Promise<number> {
    if (this.quiet()) return 0;
    const byTeam = new Map<Owner, ExceptionRecord[]>();
    for (const e of await this.svc.unalerted()) if (!this.inFlight.has(e.id)) byTeam.set(e.owner, [...(byTeam.get(e.owner) ?? []), e]);
    let sent = 0;
    for (const [team, list] of byTeam) sent += await this.deliver(team, 'digest', list);
    return sent;
  }

  /**
   * A problem with the server itself (its store is gone): to every team's channels at once, quiet hours or not,
   * without touching the exception store (which may be what failed). Returns how many channels took it.
   */
  async critical(subject: string, text: string): Promise<number> {
    let n = 0;
    for (const [team, channels] of Object.entries(this.cfg.teams) as Array<[Owner, Channel[] | undefined]>) {
      for (const ch of channels ?? []) {
        try {
          await ch.send({ team, kind: 'immediate', subject: `${this.tag} ${subject}`, text, exceptions: [], ...this.where });
          n++;
        } catch (err) {
          this.cfg.log?.warn({ channel: ch.name, team, err: (err as Error).message.replace(/https?:\/\/\S+/g, '[url]') }, 'alert channel failed');
        }
      }
    }
    return n;
  }

  private async deliver(team: Owner, kind: AlertMessage['kind'], list: ExceptionRecord[]): Promise<number> {
    const channels = this.cfg.teams[team] ?? [];
    if (!channels.length) return 0;
    const subject =
      kind === 'immediate' && list[0] ? `${this.tag} ${list[0].title}` : `${this.tag} ${list.length} open exception${list.length === 1 ? '' : 's'} for ${team}`;
    const text = list.map((e) => line(e, this.cfg.baseUrl, this.cfg.workspace)).join('\n');
    const msg: AlertMessage = { team, kind, subject, text, exceptions: list, ...this.where };
    const ok: string[] = [];
    for (const e of list) this.inFlight.add(e.id);
    try {
      for (const ch of channels) {
        try {
          await ch.send(msg);
          ok.push(ch.name);
        } catch (err) {
          // The URL of a Slack hook is a secret: only the channel's name goes to the log.
          this.cfg.log?.warn({ channel: ch.name, team, err: (err as Error).message.replace(/https?:\/\/\S+/g, '[url]') }, 'alert channel failed');
        }
      }
      // Marked once any channel took it: a dead channel must not make the others repeat it every digest.
      if (!ok.length) return 0;
      let n = 0;
      for (const e of list) if (await this.svc.markAlerted(e.id, ok)) n++;
      return n;
    } finally {
      for (const e of list) this.inFlight.delete(e.id);
    }
  }
}
