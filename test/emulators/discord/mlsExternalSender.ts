/**
 * The voice gateway as the MLS external sender of a DAVE v1 group (ciphersuite 2,
 * MLS_128_DHKEMP256_AES128GCM_SHA256_P256): its ExternalSender package (op 25) and the Add and
 * Remove proposals it signs (op 27).
 * @remarks Written on node:crypto rather than an MLS library: the external sender only ever signs
 * two proposal kinds (RFC 9420 §6.1 SignWithLabel over FramedContentTBS, which has no GroupContext
 * for external senders), and the MLS libraries in TypeScript model group members, not a sender that
 * holds no group state. The encodings are checked against the live Discord payloads in davey's own
 * tests and against @snazzah/davey itself (test/emulators/discord/mlsExternalSender.test.ts).
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { u8, u16, u32, u64, vec } from './mlsCodec.ts';
import { SenderType, WireFormat } from './mlsMessages.ts';

const MLS10 = u16(1);
const PROPOSAL = 2;
const ProposalType = { Add: 1, Remove: 3 } as const;
const BASIC_CREDENTIAL = 1;

/** A P-256 signing identity for the external sender. */
export interface ExternalSender {
  /** Uncompressed SEC1 public key, 65 bytes. */
  publicKey: Buffer;
  privateKey: KeyObject;
  /** Basic credential identity (Discord's live gateway uses one zero byte). */
  identity: Buffer;
}

/** A proposal to send in op 27, an MLSMessage(PublicMessage). */
export type ProposalSpec = { kind: 'add'; keyPackage: Buffer } | { kind: 'remove'; leaf: number };

/** Makes a fresh external sender key. */
export function createExternalSender(identity: Buffer = Buffer.from([0])): ExternalSender {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { publicKey: raw, privateKey, identity };
}

/** op 25's payload: `ExternalSender { SignaturePublicKey signature_key; Credential credential; }`. */
export function externalSenderPackage(sender: ExternalSender): Buffer {
  return Buffer.concat([vec(sender.publicKey), u16(BASIC_CREDENTIAL), vec(sender.identity)]);
}

/** The 8-byte MLS group id DAVE derives from the channel: the snowflake as a big-endian u64. */
export function groupIdOf(channelId: string): Buffer {
  return u64(BigInt(channelId));
}

/** One signed external proposal as an MLSMessage (PublicMessage, sender external #0, no membership tag). */
export function externalProposal(
  sender: ExternalSender,
  groupId: Buffer,
  epoch: bigint,
  proposal: ProposalSpec,
): Buffer {
  const body =
    proposal.kind === 'add'
      ? Buffer.concat([u16(ProposalType.Add), proposal.keyPackage])
      : Buffer.concat([u16(ProposalType.Remove), u32(proposal.leaf)]);
  const framedContent = Buffer.concat([
    vec(groupId),
    u64(epoch),
    u8(SenderType.External),
    u32(0),
    vec(),
    u8(PROPOSAL),
    body,
  ]);
  const tbs = Buffer.concat([MLS10, u16(WireFormat.PublicMessage), framedContent]);
  const signContent = Buffer.concat([vec(Buffer.from('MLS 1.0 FramedContentTBS')), vec(tbs)]);
  const signature = sign('sha256', signContent, { key: sender.privateKey, dsaEncoding: 'der' });
  return Buffer.concat([tbs, vec(signature)]);
}

/** op 27's payload for an append: `operation_type = 0`, then `MLSMessage proposal_messages<V>`. */
export function appendProposalsPayload(messages: readonly Buffer[]): Buffer {
  return Buffer.concat([u8(0), vec(...messages)]);
}

/** op 27's payload for a revoke: `operation_type = 1`, then `ProposalRef proposal_refs<V>`. */
export function revokeProposalsPayload(refsHex: readonly string[]): Buffer {
  return Buffer.concat([u8(1), vec(...refsHex.map((ref) => vec(Buffer.from(ref, 'hex'))))]);
}
