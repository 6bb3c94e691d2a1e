/**
 * One call's DAVE v1 delivery service (discord/dave-protocol protocol.md "Group Key Exchange"): the
 * voice gateway as MLS external sender. It keeps the group's id, epoch and leaves, proposes Add and
 * Remove (op 27), relays the first valid commit of an epoch (op 29) and its welcome (op 30), and
 * sequences transitions (ops 21–24). Members are the bot's socket or in-process listeners alike.
 */

import { applyToLeaves, ProposalBook, type Proposed } from './daveProposals.ts';
import { type DaveCallRecord, type DaveFault, DaveOp } from './daveRecord.ts';
import { Transitions } from './daveTransitions.ts';
import {
  appendProposalsPayload,
  createExternalSender,
  externalSenderPackage,
  groupIdOf,
  type ProposalSpec,
} from './mlsExternalSender.ts';
import { type ParsedCommit, parseCommitWelcome, parseKeyPackageMessage } from './mlsMessages.ts';

/** A participant as the gateway sees it. */
export interface CallMember {
  readonly userId: string;
  sendJson(op: number, d: unknown): void;
  sendBinary(op: number, payload: Buffer): void;
}

interface MemberState {
  member: CallMember;
  keyPackage: Buffer | null;
  /** This member's leaf in the established group, or null while pending. */
  leaf: number | null;
}

/** Options of a call, from the emulator's options. */
export interface DaveCallOptions {
  version: 0 | 1;
  /** Announce the commit that creates a group with transition id 0 (executed at once, no op 22). */
  firstTransitionZero: boolean;
  /** How long to wait for every op 23 before executing anyway. */
  transitionTimeoutMs: number;
}

/** The DAVE state of one call. */
export class DaveCall {
  readonly sender = createExternalSender();
  readonly groupId: Buffer;
  readonly record: DaveCallRecord;
  private readonly members = new Map<string, MemberState>();
  private leaves: (string | null)[] = [];
  private epoch = 0n;
  private established = false;
  private readonly book = new ProposalBook();
  private readonly transitions: Transitions;
  readonly channelId: string;
  readonly options: DaveCallOptions;

  /** `faults` is shared with the guild's voice record, so a test can arm one before the call exists. */
  constructor(channelId: string, options: DaveCallOptions, faults: DaveFault[]) {
    this.channelId = channelId;
    this.options = options;
    this.groupId = groupIdOf(channelId);
    this.transitions = new Transitions(options.transitionTimeoutMs, (id) => this.execute(id));
    this.record = {
      version: options.version,
      epoch: 0,
      established: false,
      transitions: [],
      invalid: [],
      rejectedCommits: 0,
      faults,
      events: [],
    };
  }

  /** A participant connects: clients connect (op 11) both ways, then the external sender package (op 25). */
  join(member: CallMember): void {
    this.trace(`join ${member.userId}`);
    const others = [...this.members.keys()].filter((id) => id !== member.userId);
    if (this.members.has(member.userId)) this.leave(member.userId);
    this.members.set(member.userId, { member, keyPackage: null, leaf: null });
    if (others.length > 0) member.sendJson(DaveOp.ClientsConnect, { user_ids: others });
    for (const id of others)
      this.members.get(id)!.member.sendJson(DaveOp.ClientsConnect, { user_ids: [member.userId] });
    if (this.options.version > 0) member.sendBinary(DaveOp.ExternalSender, externalSenderPackage(this.sender));
  }

  /** A participant disconnects: op 13 to the rest, then a Remove (or a sole-member reset). */
  leave(userId: string): void {
    if (!this.members.delete(userId)) return;
    this.trace(`leave ${userId}`);
    for (const state of this.members.values()) state.member.sendJson(DaveOp.ClientDisconnect, { user_id: userId });
    this.transitions.forget(userId);
    this.reconcile();
  }

  /** Everyone still connected. */
  userIds(): string[] {
    return [...this.members.keys()];
  }

  /** op 26 from `userId`. */
  onKeyPackage(userId: string, bytes: Buffer): void {
    const state = this.members.get(userId);
    if (state === undefined || this.options.version === 0) return;
    const parsed = parseKeyPackageMessage(bytes);
    if (parsed.userId !== userId) return;
    state.keyPackage = parsed.keyPackage;
    this.trace(`key package ${userId}`);
    this.reconcile();
  }

  /** op 28 from `userId`: relays it when it is the first valid commit of the epoch. */
  onCommitWelcome(userId: string, bytes: Buffer): void {
    const state = this.members.get(userId);
    if (state === undefined) return;
    let commit: ParsedCommit;
    try {
      commit = parseCommitWelcome(bytes);
    } catch {
      this.record.rejectedCommits += 1;
      return;
    }
    const committed = this.book.committedBy(userId, commit.refs);
    const valid =
      committed !== null &&
      commit.epoch === this.epoch &&
      commit.groupId.equals(this.groupId) &&
      (this.established ? state.leaf !== null : state.keyPackage !== null);
    if (!valid || this.takeFault(userId, 'reject-commit')) {
      this.record.rejectedCommits += 1;
      this.trace(`commit from ${userId} at epoch ${commit.epoch} rejected`);
      return;
    }
    this.trace(
      `commit from ${userId} at epoch ${commit.epoch}: ` +
        `${committed.map((p) => `${p.spec.kind} ${p.userId}`).join(', ')}`,
    );
    this.apply(userId, committed, commit.message, commit.welcome);
  }

  /** op 23 from `userId`. */
  ready(userId: string, transitionId: number): void {
    this.transitions.ready(userId, transitionId);
  }

  /** op 31 from `userId`: it returns to pending; a Remove now and an Add once its new key package arrives. */
  onInvalid(userId: string, transitionId: number): void {
    const state = this.members.get(userId);
    if (state === undefined) return;
    this.record.invalid.push({ userId, transitionId, at: performance.now() });
    this.trace(`invalid from ${userId} (transition ${transitionId})`);
    state.leaf = null;
    state.keyPackage = null;
    this.ready(userId, transitionId);
    this.reconcile();
  }

  /** Stops timers. */
  close(): void {
    this.transitions.close();
  }

  private apply(committerId: string, committed: Proposed[], commit: Buffer, welcome: Buffer | null): void {
    const previous = this.established ? this.leaves : [committerId];
    const { leaves, added, removed } = applyToLeaves(previous, committed);
    const creating = !this.established;
    const id = creating && this.options.firstTransitionZero ? 0 : this.transitions.takeId();
    const receivers = [...new Set(previous.filter((u): u is string => u !== null && leaves.includes(u)))];
    this.leaves = leaves;
    this.epoch = creating ? 1n : this.epoch + 1n;
    this.established = true;
    this.book.clear();
    for (const [userId, state] of this.members) {
      const leaf = leaves.indexOf(userId);
      state.leaf = leaf === -1 ? null : leaf;
      if (added.includes(userId)) state.keyPackage = null;
    }
    this.record.epoch = Number(this.epoch);
    this.record.established = true;
    this.record.transitions.push({
      id,
      epoch: Number(this.epoch),
      committer: committerId,
      added,
      removed,
      at: performance.now(),
      executedAt: null,
    });
    const notified: string[] = [];
    for (const userId of receivers) {
      const state = this.members.get(userId);
      if (state === undefined) continue;
      const payload = Buffer.concat([u16(id), commit]);
      state.member.sendBinary(DaveOp.AnnounceCommit, this.takeFault(userId, 'corrupt') ? corrupt(payload) : payload);
      notified.push(userId);
    }
    for (const userId of added) {
      const state = this.members.get(userId);
      if (state === undefined || welcome === null) continue;
      const payload = Buffer.concat([u16(id), welcome]);
      state.member.sendBinary(DaveOp.Welcome, this.takeFault(userId, 'corrupt') ? corrupt(payload) : payload);
      notified.push(userId);
    }
    if (id === 0) this.record.transitions.at(-1)!.executedAt = performance.now();
    else this.transitions.await(id, notified);
    this.reconcile();
  }

  /** Proposes what the group lacks: Removes for gone or reset leaves, Adds for pending key packages. */
  private reconcile(): void {
    if (this.options.version === 0) return;
    if (!this.established) return this.proposeInitial();
    const inGroup = [...this.members.values()].filter((s) => s.leaf !== null);
    const pending = [...this.members.values()].filter((s) => s.leaf === null && s.keyPackage !== null);
    if (inGroup.length === 1 && pending.length === 0 && this.leaves.filter((u) => u !== null).length > 1)
      return this.soleMemberReset(inGroup[0]!);
    if (inGroup.length === 0) return this.resetGroup();
    const fresh: Buffer[] = [];
    this.leaves.forEach((userId, leaf) => {
      if (userId !== null && this.members.get(userId)?.leaf !== leaf)
        fresh.push(...this.propose(`remove:${leaf}`, userId, { kind: 'remove', leaf }));
    });
    for (const s of pending)
      fresh.push(
        ...this.propose(`add:${s.member.userId}`, s.member.userId, { kind: 'add', keyPackage: s.keyPackage! }),
      );
    if (fresh.length === 0) return;
    this.trace(
      `proposals (${fresh.length}) at epoch ${this.epoch} to ${inGroup.map((s) => s.member.userId).join(', ')}`,
    );
    for (const s of inGroup) this.sendProposals(s, fresh);
  }

  /** No group yet: each pending member with a key package gets Adds for every other one (epoch 0). */
  private proposeInitial(): void {
    const pending = [...this.members.values()].filter((s) => s.keyPackage !== null);
    for (const to of pending) {
      const fresh: Buffer[] = [];
      for (const other of pending) {
        if (other === to) continue;
        fresh.push(
          ...this.propose(`${to.member.userId}:add:${other.member.userId}`, other.member.userId, {
            kind: 'add',
            keyPackage: other.keyPackage!,
          }),
        );
      }
      if (fresh.length === 0) continue;
      this.trace(`initial proposals (${fresh.length}) to ${to.member.userId}`);
      this.sendProposals(to, fresh);
    }
  }

  private sendProposals(to: MemberState, messages: Buffer[]): void {
    this.book.sent(to.member.userId, messages);
    to.member.sendBinary(DaveOp.Proposals, appendProposalsPayload(messages));
  }

  private propose(key: string, userId: string, spec: ProposalSpec): Buffer[] {
    return this.book.make(this.sender, this.groupId, this.epoch, key, userId, spec);
  }

  /** protocol.md "Sole member reset": op 24 epoch 1, then op 21 with transition id 0. */
  private soleMemberReset(sole: MemberState): void {
    this.trace(`sole member reset of ${sole.member.userId}`);
    this.resetGroup();
    sole.keyPackage = null;
    sole.member.sendJson(DaveOp.PrepareEpoch, { protocol_version: this.options.version, epoch: 1 });
    sole.member.sendJson(DaveOp.PrepareTransition, { protocol_version: this.options.version, transition_id: 0 });
  }

  private resetGroup(): void {
    this.leaves = [];
    this.epoch = 0n;
    this.established = false;
    this.book.clear();
    for (const s of this.members.values()) s.leaf = null;
    this.record.established = false;
    this.record.epoch = 0;
  }

  private execute(id: number): void {
    const entry = this.record.transitions.findLast((t) => t.id === id);
    if (entry) entry.executedAt = performance.now();
    for (const s of this.members.values()) s.member.sendJson(DaveOp.ExecuteTransition, { transition_id: id });
  }

  private trace(event: string): void {
    this.record.events.push(`${performance.now().toFixed(0)} ${event}`);
  }

  private takeFault(userId: string, kind: DaveFault['kind']): boolean {
    const index = this.record.faults.findIndex((f) => f.userId === userId && f.kind === kind && !f.used);
    if (index === -1) return false;
    this.record.faults[index]!.used = true;
    return true;
  }
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value, 0);
  return out;
}

/** Flips bits in the middle of an MLS message (after the transition id), so its signature no longer holds. */
function corrupt(payload: Buffer): Buffer {
  const out = Buffer.from(payload);
  const at = Math.max(2, out.length - 40);
  out[at] = out[at]! ^ 0xff;
  return out;
}
