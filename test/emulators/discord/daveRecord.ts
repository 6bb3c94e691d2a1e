/**
 * DAVE opcodes (voice gateway v8) and what the emulator records about a call's MLS group and about
 * each listening member.
 */
import type { VoicePacket } from './voiceRecord.ts';

/** Voice gateway opcodes the DAVE protocol uses (discord/dave-protocol protocol.md). */
export const DaveOp = {
  ClientsConnect: 11,
  ClientDisconnect: 13,
  PrepareTransition: 21,
  ExecuteTransition: 22,
  TransitionReady: 23,
  PrepareEpoch: 24,
  ExternalSender: 25,
  KeyPackage: 26,
  Proposals: 27,
  CommitWelcome: 28,
  AnnounceCommit: 29,
  Welcome: 30,
  InvalidCommitWelcome: 31,
} as const;

/** A scripted fault: the emulator corrupts (or refuses) the next commit or welcome of `userId`. */
export interface DaveFault {
  userId: string;
  /**
   * `corrupt`: the next commit (op 29) or welcome (op 30) sent to the user is damaged, so it answers
   * op 31 and is removed and re-added; `reject-commit`: the gateway declares its next commit invalid.
   */
  kind: 'corrupt' | 'reject-commit';
  used?: boolean;
}

/** One epoch change the gateway announced. */
export interface DaveTransitionRecord {
  id: number;
  /** The epoch the commit leads to. */
  epoch: number;
  committer: string;
  added: string[];
  removed: string[];
  at: number;
  /** When op 22 was sent (or, for id 0, when it was announced); null while members prepare. */
  executedAt: number | null;
}

/** A call's MLS group as the gateway sees it (a live object). */
export interface DaveCallRecord {
  version: 0 | 1;
  epoch: number;
  established: boolean;
  transitions: DaveTransitionRecord[];
  /** op 31 received. */
  invalid: { userId: string; transitionId: number; at: number }[];
  /** Commits the gateway refused (stale epoch, unknown proposals, or a scripted rejection). */
  rejectedCommits: number;
  faults: DaveFault[];
  /** A readable trace of the delivery service (joins, key packages, proposals, commits), for diagnostics. */
  events: string[];
}

/** What one listening member heard from the bot (a live object). */
export interface ListenerRecord {
  userId: string;
  /** Decoded packets, like {@link GuildVoice.packets}; frames it could not decrypt are missing. */
  packets: VoicePacket[];
  /** RTP packets from the bot that reached this member. */
  received: number;
  /** Frames DAVE-decrypted with the group's keys. */
  decrypted: number;
  /** Frames taken unencrypted: DAVE off, silence, or the bot not yet in a group. */
  passthrough: number;
  /** Frames this member could not decrypt (lost). */
  failed: number;
  /** The voice privacy code after each executed transition ('' before a group). */
  privacyCodes: string[];
  /** True once the member is in the group with the bot. */
  inGroup: boolean;
  /** What this member's davey session refused: proposals it could not commit, frames it could not decrypt. */
  errors: string[];
}
