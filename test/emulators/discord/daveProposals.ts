/**
 * The external sender's proposals within one epoch, and how a commit of them changes the group's
 * leaves (RFC 9420 §12.3: Removes first, then each Add at the leftmost blank leaf or appended).
 */
import { type ExternalSender, externalProposal, type ProposalSpec } from './mlsExternalSender.ts';
import { proposalRef } from './mlsMessages.ts';

/** A proposal the gateway made, and whom it concerns. */
export interface Proposed {
  spec: ProposalSpec;
  userId: string;
}

/** Proposals of the current epoch: made once per key, remembered per recipient, found by reference. */
export class ProposalBook {
  private readonly byRef = new Map<string, Proposed>();
  private readonly made = new Set<string>();
  private readonly sentTo = new Map<string, Set<string>>();

  /** Signs a new proposal unless one with `key` was made this epoch; `[]` or `[message]`. */
  make(
    sender: ExternalSender,
    groupId: Buffer,
    epoch: bigint,
    key: string,
    userId: string,
    spec: ProposalSpec,
  ): Buffer[] {
    if (this.made.has(key)) return [];
    this.made.add(key);
    const message = externalProposal(sender, groupId, epoch, spec);
    this.byRef.set(proposalRef(message), { spec, userId });
    return [message];
  }

  /** Notes that `messages` were sent to `userId`. */
  sent(userId: string, messages: readonly Buffer[]): void {
    const refs = this.sentTo.get(userId) ?? new Set<string>();
    for (const message of messages) refs.add(proposalRef(message));
    this.sentTo.set(userId, refs);
  }

  /**
   * The proposals a commit from `userId` references, when it references exactly those it was sent
   * this epoch (protocol.md "Voice Gateway Commit Validity"); null otherwise.
   */
  committedBy(userId: string, refs: readonly string[] | null): Proposed[] | null {
    const sent = this.sentTo.get(userId);
    if (refs === null || sent === undefined || refs.length === 0 || refs.length !== sent.size) return null;
    const found = refs.map((ref) => (sent.has(ref) ? this.byRef.get(ref) : undefined));
    return found.every((p) => p !== undefined) ? (found as Proposed[]) : null;
  }

  /** Forgets everything (a new epoch or a new group). */
  clear(): void {
    this.byRef.clear();
    this.made.clear();
    this.sentTo.clear();
  }
}

/** The leaves after a commit of `committed` to `previous`, with the users added and removed. */
export function applyToLeaves(
  previous: readonly (string | null)[],
  committed: readonly Proposed[],
): { leaves: (string | null)[]; added: string[]; removed: string[] } {
  const leaves = [...previous];
  const removed: string[] = [];
  for (const p of committed) {
    if (p.spec.kind !== 'remove') continue;
    leaves[p.spec.leaf] = null;
    removed.push(p.userId);
  }
  const added: string[] = [];
  for (const p of committed) {
    if (p.spec.kind !== 'add') continue;
    const free = leaves.indexOf(null);
    leaves[free === -1 ? leaves.length : free] = p.userId;
    added.push(p.userId);
  }
  return { leaves, added, removed };
}
