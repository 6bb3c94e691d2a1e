/**
 * Just enough RFC 9420 parsing for a DAVE delivery service: key packages (op 26), commits and
 * welcomes (op 28), and proposal references. The voice gateway never decrypts anything: handshake
 * messages are PublicMessages (DAVE protocol.md "Voice Gateway Commit Validity").
 */
import { createHash } from 'node:crypto';
import { TlsReader, vec } from './mlsCodec.ts';

/** MLS wire formats (RFC 9420 §6). */
export const WireFormat = { PublicMessage: 1, PrivateMessage: 2, Welcome: 3, GroupInfo: 4, KeyPackage: 5 } as const;
/** Sender types of FramedContent. */
export const SenderType = { Member: 1, External: 2, NewMemberProposal: 3, NewMemberCommit: 4 } as const;
const ContentType = { Application: 1, Proposal: 2, Commit: 3 } as const;
const MLS10 = 1;

/** A key package from op 26: the bare KeyPackage (what an Add proposal carries) and its credential. */
export interface ParsedKeyPackage {
  keyPackage: Buffer;
  /** The basic credential's identity read as a big-endian u64 snowflake. */
  userId: string;
}

/** A commit from op 28, split from the welcome that may follow it. */
export interface ParsedCommit {
  /** The whole MLSMessage of the commit (what op 29 relays). */
  message: Buffer;
  groupId: Buffer;
  epoch: bigint;
  senderLeaf: number | null;
  /** Hex proposal references; `null` when the commit carries a proposal by value (invalid in DAVE). */
  refs: string[] | null;
  /** The Welcome that followed (op 30 relays it); `null` without adds. */
  welcome: Buffer | null;
}

/**
 * Parses op 26: a KeyPackage, bare (as @snazzah/davey serializes it) or wrapped in an MLSMessage
 * (as protocol.md describes op 26); throws on anything else.
 */
export function parseKeyPackageMessage(bytes: Buffer): ParsedKeyPackage {
  const r = new TlsReader(bytes);
  if (bytes.length >= 4 && bytes.readUInt16BE(2) === WireFormat.KeyPackage) r.take(4);
  const start = r.offset;
  if (r.u16() !== MLS10) throw new Error('not an MLS 1.0 KeyPackage');
  if (r.u16() !== 2) throw new Error('KeyPackage is not for ciphersuite 2');
  r.vec(); // init key
  const identity = skipLeafNode(r);
  r.vec(); // extensions
  r.vec(); // signature
  if (identity.length !== 8) throw new Error('credential identity is not a 64-bit snowflake');
  return { keyPackage: Buffer.from(r.since(start)), userId: identity.readBigUInt64BE(0).toString() };
}

/** Parses op 28's payload: a PublicMessage commit, then an optional Welcome. */
export function parseCommitWelcome(bytes: Buffer): ParsedCommit {
  const r = new TlsReader(bytes);
  if (r.u16() !== MLS10 || r.u16() !== WireFormat.PublicMessage) throw new Error('commit is not an MLS PublicMessage');
  const groupId = Buffer.from(r.vec());
  const epoch = r.u64();
  const senderType = r.u8();
  const senderLeaf = senderType === SenderType.Member || senderType === SenderType.External ? r.u32() : null;
  r.vec(); // authenticated data
  if (r.u8() !== ContentType.Commit) throw new Error('not a commit');
  const refs = readProposalRefs(new TlsReader(r.vec()));
  if (r.u8() === 1) {
    skipLeafNode(r);
    r.vec(); // path nodes
  }
  r.vec(); // signature
  r.vec(); // confirmation tag
  if (senderType === SenderType.Member) r.vec(); // membership tag
  const message = Buffer.from(r.since(0));
  const welcome = r.done ? null : Buffer.from(r.bytes.subarray(r.offset));
  return { message, groupId, epoch, senderLeaf: senderType === SenderType.Member ? senderLeaf : null, refs, welcome };
}

/** RFC 9420 §5.2 MakeProposalRef over a PublicMessage proposal (AuthenticatedContent = message minus version). */
export function proposalRef(proposalMessage: Buffer): string {
  const input = Buffer.concat([vec(Buffer.from('MLS 1.0 Proposal Reference')), vec(proposalMessage.subarray(2))]);
  return createHash('sha256').update(input).digest('hex');
}

/** Splits op 27's `proposal_messages<V>` body into MLSMessages (each a PublicMessage proposal). */
export function splitProposalMessages(body: Buffer): Buffer[] {
  const r = new TlsReader(body);
  const out: Buffer[] = [];
  while (!r.done) {
    const start = r.offset;
    if (r.u16() !== MLS10 || r.u16() !== WireFormat.PublicMessage) throw new Error('proposal is not a PublicMessage');
    r.vec(); // group id
    r.u64();
    const senderType = r.u8();
    if (senderType === SenderType.Member || senderType === SenderType.External) r.u32();
    r.vec(); // authenticated data
    if (r.u8() !== ContentType.Proposal) throw new Error('not a proposal');
    skipProposal(r);
    r.vec(); // signature
    if (senderType === SenderType.Member) r.vec();
    out.push(Buffer.from(r.since(start)));
  }
  return out;
}

function readProposalRefs(r: TlsReader): string[] | null {
  const refs: string[] = [];
  while (!r.done) {
    if (r.u8() !== 2) return null;
    refs.push(r.vec().toString('hex'));
  }
  return refs;
}

function skipProposal(r: TlsReader): void {
  const type = r.u16();
  if (type === 1) {
    r.u16();
    r.u16();
    r.vec();
    skipLeafNode(r);
    r.vec();
    r.vec();
  } else if (type === 3) r.u32();
  else throw new Error(`proposal type ${type} is not allowed in DAVE`);
}

/** Skips a LeafNode and returns its basic credential identity. */
function skipLeafNode(r: TlsReader): Buffer {
  r.vec(); // encryption key
  r.vec(); // signature key
  r.u16(); // credential type (basic or x509: both one vector)
  const identity = r.vec();
  for (let i = 0; i < 5; i++) r.vec(); // capabilities
  const source = r.u8();
  if (source === 1)
    r.take(16); // lifetime
  else if (source === 3) r.vec(); // parent hash
  r.vec(); // extensions
  r.vec(); // signature
  return identity;
}
