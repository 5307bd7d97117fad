// Client changes held for a consultant's approval (issue 12, section 3). On a flow whose policy asks for it, a
// client's publish stores the draft, its dry run and its diff as a pending request instead of a version. A consultant
// approves it (the draft is published as the client's version) or rejects it with a reason. The request is stale,
// and cannot be approved, once the draft differs from what was asked for or another version was published since.
import { and, desc, eq, inArray } from 'drizzle-orm';
import { newId, contentHash } from '../../runtime/ids.ts';
import { NotFoundError, type FlowStore } from '../../runtime/flow-store.ts';
import type { Store } from '../../runtime/store/db.ts';
import type { SqlDb, SqlStore } from '../../runtime/store/sql-store.ts';
import { flowApprovalPolicies, flowChangeRequests } from '../db/schema.ts';
import type { FlowDiff } from './diff.ts';
import type { DryRunReport } from './dry-run.ts';

export type ChangeRequestStatus = 'pending' | 'approved' | 'rejected' | 'superseded' | 'withdrawn';

export interface ApprovalPolicy {
  flowId: string;
  clientChangesNeedApproval: boolean;
  updatedBy: string | null;
  updatedAt: number | null;
}

export interface ChangeRequestSummary {
  id: string;
  flowId: string;
  flowName: string;
  status: ChangeRequestStatus;
  message: string;
  baseVersion: number | null;
  requestedBy: string;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  reason: string | null;
  publishedVersion: number | null;
  /** Why a pending request can no longer be approved, or null. */
  stale: string | null;
  /** The dry run's counts (events, changed, breaks...), or null when it could not run. */
  dryRunSummary: Record<string, number> | null;
}

export interface ChangeRequestFull extends ChangeRequestSummary {
  definition: Record<string, unknown>;
  dryRun: DryRunReport | null;
  dryRunError: string | null;
  diff: FlowDiff;
}

/** A decision the request's state does not allow (decided already, stale): the route answers 409 with this. */
export class ChangeRequestConflict extends Error {
  constructor(
    readonly code: 'decided' | 'stale',
    message: string,
  ) {
    super(message);
    this.name = 'ChangeRequestConflict';
  }
}

type Row = typeof flowChangeRequests.$inferSelect;
type Tables = { requests: typeof flowChangeRequests; policies: typeof flowApprovalPolicies };

export class ChangeRequests {
  private readonly store: SqlStore<Tables>;

  constructor(
    store: Pick<Store, 'sql'>,
    private flows: FlowStore,
    private now: () => number = Date.now,
  ) {
    this.store = store.sql({ requests: flowChangeRequests, policies: flowApprovalPolicies });
  }

  private get db() {
    return this.store.db;
  }

  async policy(flowId: string): Promise<ApprovalPolicy> {
    const p = this.store.tables.policies;
    const [r] = await this.db.select().from(p).where(eq(p.flowId, flowId));
    return r ? { ...r } : { flowId, clientChangesNeedApproval: false, updatedBy: null, updatedAt: null };
  }

  async setPolicy(flowId: string, clientChangesNeedApproval: boolean, by: string): Promise<ApprovalPolicy> {
    const p = this.store.tables.policies;
    const row = { flowId, clientChangesNeedApproval, updatedBy: by, updatedAt: this.now() };
    await this.db.insert(p).values(row).onConflictDoUpdate({ target: p.flowId, set: row });
    return this.policy(flowId);
  }

  /** Stores the client's current draft as a pending request; an earlier pending request of the flow is superseded by it. */
  async create(
    flowId: string,
    r: { message: string; by: string; dryRun: DryRunReport | null; dryRunError: string | null; diff: FlowDiff },
  ): Promise<{ request: ChangeRequestFull; superseded: string[] }> {
    const draft = await this.flows.draft(flowId);
    const baseVersion = await this.flows.latestVersion(flowId);
    const id = newId('chg');
    const t = this.now();
    const q = this.store.tables.requests;
    const superseded = await this.store.tx(async (tx) => {
      const open = (
        await this.store.forUpdate(
          tx
            .select({ id: q.id })
            .from(q)
            .where(and(eq(q.flowId, flowId), eq(q.status, 'pending'))),
        )
      ).map((x) => x.id);
      if (open.length) {
        await tx
          .update(q)
          .set({ status: 'superseded', decidedAt: t, decidedBy: r.by, reason: `replaced by request ${id}` })
          .where(inArray(q.id, open));
      }
      await tx.insert(q).values({
        id,
        flowId,
        status: 'pending',
        definition: JSON.stringify(draft),
        draftHash: contentHash(draft),
        baseVersion,
        message: r.message,
        dryRun: r.dryRun ? JSON.stringify(r.dryRun) : null,
        dryRunError: r.dryRunError,
        diff: JSON.stringify(r.diff),
        requestedBy: r.by,
        requestedAt: t,
      });
      return open;
    });
    return { request: await this.get(id), superseded };
  }

  async list(q: { flowId?: string; status?: ChangeRequestStatus; limit?: number } = {}): Promise<ChangeRequestSummary[]> {
    const t = this.store.tables.requests;
    const where = [q.flowId ? eq(t.flowId, q.flowId) : undefined, q.status ? eq(t.status, q.status) : undefined].filter((x) => x !== undefined);
    const rows = await this.db
      .select()
      .from(t)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(t.requestedAt), desc(t.id))
      .limit(Math.min(Math.max(q.limit ?? 100, 1), 500));
    return Promise.all(rows.map((r) => this.summary(r)));
  }

  /** The version each approved request was published as, and by whom it was approved. */
  async approvals(flowId: string): Promise<Map<number, string>> {
    const t = this.store.tables.requests;
    const rows = await this.db
      .select({ v: t.publishedVersion, by: t.decidedBy })
      .from(t)
      .where(and(eq(t.flowId, flowId), eq(t.status, 'approved')));
    return new Map(rows.filter((r) => r.v != null && r.by).map((r) => [r.v!, r.by!]));
  }

  async get(id: string): Promise<ChangeRequestFull> {
    return this.full(await this.row(id));
  }

  /** Why this pending request can no longer be approved as it stands, or null. */
  async staleReason(r: Pick<Row, 'flowId' | 'status' | 'draftHash' | 'baseVersion' | 'requestedAt'>): Promise<string | null> {
    if (r.status !== 'pending') return null;
    const latest = await this.flows.latestVersion(r.flowId);
    if (latest !== r.baseVersion) {
      const v = latest == null ? null : (await this.flows.versions(r.flowId)).find((x) => x.version === latest);
      return `version ${latest} of flow "${r.flowId}" was published${v?.createdBy ? ` by ${v.createdBy}` : ''} after this request (it was made against ${r.baseVersion == null ? 'no version' : `version ${r.baseVersion}`}); approving it would undo that version`;
    }
    if (contentHash(await this.flows.draft(r.flowId)) !== r.draftHash) {
      const at = (await this.flows.get(r.flowId)).draftUpdatedAt;
      return `the draft of flow "${r.flowId}" was changed after this request (last saved ${new Date(at).toISOString()}), so it is no longer what was asked for and checked; the client publishes again to ask for the current draft`;
    }
    return null;
  }

  /**
   * Marks the request approved and publishes it through `publish`, which must publish the flow's current draft (the
   * requested one: the stale check has just said so). One transaction from the check to the write, the request's row
   * locked, so nothing slips in (two approvals of one request: the second finds it decided).
   */
  async approve<V extends { version: number }>(
    id: string,
    by: string,
    publish: (r: ChangeRequestFull) => Promise<V>,
  ): Promise<{ request: ChangeRequestFull; version: V }> {
    const t = this.store.tables.requests;
    const version = await this.store.tx(async (tx) => {
      const r = await this.row(id, tx);
      this.assertPending(r);
      const stale = await this.staleReason(r);
      if (stale) throw new ChangeRequestConflict('stale', `change request ${id} is stale and cannot be approved: ${stale}`);
      const v = await publish(await this.full(r));
      // Another process may have published since the check (PostgreSQL): then this request is stale after all, and
      // throwing rolls its version back with the rest.
      if (v.version !== (r.baseVersion ?? 0) + 1)
        throw new ChangeRequestConflict('stale', `change request ${id} is stale and cannot be approved: flow "${r.flowId}" got another version meanwhile`);
      await tx.update(t).set({ status: 'approved', decidedBy: by, decidedAt: this.now(), publishedVersion: v.version }).where(eq(t.id, id));
      return v;
    });
    return { request: await this.get(id), version };
  }

  /** Rejects a pending request (stale ones too: that is how they are cleared away), with the reason the client sees. */
  async reject(id: string, by: string, reason: string): Promise<ChangeRequestFull> {
    return this.decide(id, { status: 'rejected', decidedBy: by, decidedAt: this.now(), reason });
  }

  /** The client takes a pending request back (it changed its mind); nothing is published. */
  async withdraw(id: string, by: string): Promise<ChangeRequestFull> {
    return this.decide(id, { status: 'withdrawn', decidedBy: by, decidedAt: this.now() });
  }

  /** Decides a pending request: its row locked from the check to the write. */
  private async decide(id: string, set: Partial<Row>): Promise<ChangeRequestFull> {
    const t = this.store.tables.requests;
    await this.store.tx(async (tx) => {
      this.assertPending(await this.row(id, tx));
      await tx.update(t).set(set).where(eq(t.id, id));
    });
    return this.get(id);
  }

  private assertPending(r: Row) {
    if (r.status !== 'pending') {
      throw new ChangeRequestConflict(
        'decided',
        `change request ${r.id} is ${r.status}${r.decidedBy ? ` (by ${r.decidedBy}${r.decidedAt ? ` at ${new Date(r.decidedAt).toISOString()}` : ''})` : ''}; only a pending request can be approved, rejected or withdrawn`,
      );
    }
  }

  /** The request's row; inside a transaction, locked until it ends. */
  private async row(id: string, tx?: SqlDb): Promise<Row> {
    const t = this.store.tables.requests;
    const q = (tx ?? this.db).select().from(t).where(eq(t.id, id));
    const [r] = await (tx ? this.store.forUpdate(q) : q);
    if (!r) throw new NotFoundError(`change request "${id}"`);
    return r;
  }

  private async full(r: Row): Promise<ChangeRequestFull> {
    return {
      ...(await this.summary(r)),
      definition: JSON.parse(r.definition),
      dryRun: r.dryRun ? JSON.parse(r.dryRun) : null,
      dryRunError: r.dryRunError,
      diff: JSON.parse(r.diff),
    };
  }

  private async summary(r: Row): Promise<ChangeRequestSummary> {
    let flowName = r.flowId;
    try {
      flowName = (await this.flows.get(r.flowId)).name;
    } catch {
      // the flow is gone; its id names it
    }
    const dry = r.dryRun ? (JSON.parse(r.dryRun) as DryRunReport) : null;
    return {
      id: r.id,
      flowId: r.flowId,
      flowName,
      status: r.status as ChangeRequestStatus,
      message: r.message,
      baseVersion: r.baseVersion,
      requestedBy: r.requestedBy,
      requestedAt: r.requestedAt,
      decidedBy: r.decidedBy,
      decidedAt: r.decidedAt,
      reason: r.reason,
      publishedVersion: r.publishedVersion,
      stale: r.status === 'pending' ? await this.safeStale(r) : null,
      dryRunSummary: dry ? { ...dry.summary } : null,
    };
  }

  private async safeStale(r: Row): Promise<string | null> {
    try {
      return await this.staleReason(r);
    } catch (e) {
      return (e as Error).message;
    }
  }
}
