// Client changes held for a consultant's approval (issue 12, section 3). On a flow whose policy asks for it, a
// client's publish stores the draft, its dry run and its diff as a pending request instead of a version. A consultant
// approves it (the draft is published as the client's version) or rejects it with a reason. The request is stale,
// and cannot be approved, once the draft differs from what was asked for or another version was published since.
import { and, desc, eq, inArray } from 'drizzle-orm';
import { newId, contentHash } from '../../runtime/ids.ts';
import { NotFoundError, type FlowStore } from '../../runtime/flow-store.ts';
import type { ServerDb } from '../db/db.ts';
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

export class ChangeRequests {
  constructor(
    private db: ServerDb,
    private flows: FlowStore,
    private now: () => number = Date.now,
  ) {}

  policy(flowId: string): ApprovalPolicy {
    const r = this.db.select().from(flowApprovalPolicies).where(eq(flowApprovalPolicies.flowId, flowId)).get();
    return r ? { ...r } : { flowId, clientChangesNeedApproval: false, updatedBy: null, updatedAt: null };
  }

  setPolicy(flowId: string, clientChangesNeedApproval: boolean, by: string): ApprovalPolicy {
    const row = { flowId, clientChangesNeedApproval, updatedBy: by, updatedAt: this.now() };
    this.db.insert(flowApprovalPolicies).values(row).onConflictDoUpdate({ target: flowApprovalPolicies.flowId, set: row }).run();
    return this.policy(flowId);
  }

  /** Stores the client's current draft as a pending request; an earlier pending request of the flow is superseded by it. */
  create(
    flowId: string,
    r: { message: string; by: string; dryRun: DryRunReport | null; dryRunError: string | null; diff: FlowDiff },
  ): { request: ChangeRequestFull; superseded: string[] } {
    const draft = this.flows.draft(flowId);
    const id = newId('chg');
    const t = this.now();
    const superseded = this.db.$client.transaction(() => {
      const open = this.db
        .select({ id: flowChangeRequests.id })
        .from(flowChangeRequests)
        .where(and(eq(flowChangeRequests.flowId, flowId), eq(flowChangeRequests.status, 'pending')))
        .all()
        .map((x) => x.id);
      if (open.length) {
        this.db
          .update(flowChangeRequests)
          .set({ status: 'superseded', decidedAt: t, decidedBy: r.by, reason: `replaced by request ${id}` })
          .where(inArray(flowChangeRequests.id, open))
          .run();
      }
      this.db
        .insert(flowChangeRequests)
        .values({
          id,
          flowId,
          status: 'pending',
          definition: JSON.stringify(draft),
          draftHash: contentHash(draft),
          baseVersion: this.flows.latestVersion(flowId),
          message: r.message,
          dryRun: r.dryRun ? JSON.stringify(r.dryRun) : null,
          dryRunError: r.dryRunError,
          diff: JSON.stringify(r.diff),
          requestedBy: r.by,
          requestedAt: t,
        })
        .run();
      return open;
    })();
    return { request: this.get(id), superseded };
  }

  list(q: { flowId?: string; status?: ChangeRequestStatus; limit?: number } = {}): ChangeRequestSummary[] {
    const where = [q.flowId ? eq(flowChangeRequests.flowId, q.flowId) : undefined, q.status ? eq(flowChangeRequests.status, q.status) : undefined].filter(
      (x) => x !== undefined,
    );
    return this.db
      .select()
      .from(flowChangeRequests)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(flowChangeRequests.requestedAt), desc(flowChangeRequests.id))
      .limit(Math.min(Math.max(q.limit ?? 100, 1), 500))
      .all()
      .map((r) => this.summary(r));
  }

  /** The version each approved request was published as, and by whom it was approved. */
  approvals(flowId: string): Map<number, string> {
    const rows = this.db
      .select({ v: flowChangeRequests.publishedVersion, by: flowChangeRequests.decidedBy })
      .from(flowChangeRequests)
      .where(and(eq(flowChangeRequests.flowId, flowId), eq(flowChangeRequests.status, 'approved')))
      .all();
    return new Map(rows.filter((r) => r.v != null && r.by).map((r) => [r.v!, r.by!]));
  }

  get(id: string): ChangeRequestFull {
    const r = this.row(id);
    return {
      ...this.summary(r),
      definition: JSON.parse(r.definition),
      dryRun: r.dryRun ? JSON.parse(r.dryRun) : null,
      dryRunError: r.dryRunError,
      diff: JSON.parse(r.diff),
    };
  }

  /** Why this pending request can no longer be approved as it stands, or null. */
  staleReason(r: Pick<Row, 'flowId' | 'status' | 'draftHash' | 'baseVersion' | 'requestedAt'>): string | null {
    if (r.status !== 'pending') return null;
    const latest = this.flows.latestVersion(r.flowId);
    if (latest !== r.baseVersion) {
      const v = latest == null ? null : this.flows.versions(r.flowId).find((x) => x.version === latest);
      return `version ${latest} of flow "${r.flowId}" was published${v?.createdBy ? ` by ${v.createdBy}` : ''} after this request (it was made against ${r.baseVersion == null ? 'no version' : `version ${r.baseVersion}`}); approving it would undo that version`;
    }
    if (contentHash(this.flows.draft(r.flowId)) !== r.draftHash) {
      const at = this.flows.get(r.flowId).draftUpdatedAt;
      return `the draft of flow "${r.flowId}" was changed after this request (last saved ${new Date(at).toISOString()}), so it is no longer what was asked for and checked; the client publishes again to ask for the current draft`;
    }
    return null;
  }

  /**
   * Marks the request approved and publishes it through `publish`, which must publish the flow's current draft (the
   * requested one: the stale check has just said so). Synchronous from the check to the write, so nothing slips in.
   */
  approve<V extends { version: number }>(id: string, by: string, publish: (r: ChangeRequestFull) => V): { request: ChangeRequestFull; version: V } {
    const r = this.row(id);
    this.assertPending(r);
    const stale = this.staleReason(r);
    if (stale) throw new ChangeRequestConflict('stale', `change request ${id} is stale and cannot be approved: ${stale}`);
    const version = publish(this.get(id));
    this.db
      .update(flowChangeRequests)
      .set({ status: 'approved', decidedBy: by, decidedAt: this.now(), publishedVersion: version.version })
      .where(eq(flowChangeRequests.id, id))
      .run();
    return { request: this.get(id), version };
  }

  /** Rejects a pending request (stale ones too: that is how they are cleared away), with the reason the client sees. */
  reject(id: string, by: string, reason: string): ChangeRequestFull {
    const r = this.row(id);
    this.assertPending(r);
    this.db.update(flowChangeRequests).set({ status: 'rejected', decidedBy: by, decidedAt: this.now(), reason }).where(eq(flowChangeRequests.id, id)).run();
    return this.get(id);
  }

  /** The client takes a pending request back (it changed its mind); nothing is published. */
  withdraw(id: string, by: string): ChangeRequestFull {
    const r = this.row(id);
    this.assertPending(r);
    this.db.update(flowChangeRequests).set({ status: 'withdrawn', decidedBy: by, decidedAt: this.now() }).where(eq(flowChangeRequests.id, id)).run();
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

  private row(id: string): Row {
    const r = this.db.select().from(flowChangeRequests).where(eq(flowChangeRequests.id, id)).get();
    if (!r) throw new NotFoundError(`change request "${id}"`);
    return r;
  }

  private summary(r: Row): ChangeRequestSummary {
    let flowName = r.flowId;
    try {
      flowName = this.flows.get(r.flowId).name;
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
      stale: r.status === 'pending' ? this.safeStale(r) : null,
      dryRunSummary: dry ? { ...dry.summary } : null,
    };
  }

  private safeStale(r: Row): string | null {
    try {
      return this.staleReason(r);
    } catch (e) {
      return (e as Error).message;
    }
  }
}
