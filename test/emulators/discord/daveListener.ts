/**
 * A human member in the call, listening: a DAVE client on @snazzah/davey that joins the MLS group
 * through the gateway like any member (key package, proposals → commit, welcome, transitions, op 31
 * recovery) and DAVE-decrypts every frame the bot sends before decoding it. A frame it cannot
 * decrypt is lost. Gateway messages are handled on the next turn of the event loop, and always before a
 * frame that arrived after them, as a remote client on a network would.
 */
import { DAVESession, type MediaType, type ProposalsOperationType, type ProposalsResult } from '@snazzah/davey';
import type { CallMember, DaveCall } from './daveCall.ts';
import { DaveOp, type ListenerRecord } from './daveRecord.ts';
import { createOpusDecoder, type OpusFrameDecoder, PCM_FRAME_BYTES } from './opusDecoder.ts';
import { isSilenceFrame, type RtpHeader } from './rtp.ts';
import type { VoicePacket } from './voiceRecord.ts';

const DAVE_MAGIC = 0xfafa;
/** davey's `MediaType.AUDIO` (an ambient const enum, so spelled out here). */
const AUDIO = 0 as MediaType;
/**
 * Seconds unencrypted frames stay acceptable after the first executed transition. A call starts in
 * passthrough (protocol.md "Passthrough Mode"), and the bot encrypts once it has processed the commit.
 */
const PASSTHROUGH_GRACE_S = 3;

/** An in-process listening member of `call`. */
export class DaveListener implements CallMember {
  readonly record: ListenerRecord;
  private session: DAVESession | null = null;
  private externalSender: Buffer | null = null;
  private readonly connected = new Set<string>();
  private readonly decoder: OpusFrameDecoder = createOpusDecoder();
  private closed = false;
  private readonly inbox: (() => void)[] = [];
  readonly userId: string;
  private readonly call: DaveCall;

  constructor(userId: string, call: DaveCall) {
    this.userId = userId;
    this.call = call;
    this.record = {
      userId,
      packets: [],
      received: 0,
      decrypted: 0,
      passthrough: 0,
      failed: 0,
      privacyCodes: [],
      inGroup: false,
      errors: [],
    };
  }

  /** Connects to the call; with DAVE on, creates its session and sends a key package. */
  start(): void {
    this.call.join(this);
    if (this.call.options.version > 0) this.reinit();
  }

  /** Leaves the call and frees the decoder. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.call.leave(this.userId);
    this.session?.reset();
    this.decoder.destroy();
  }

  sendJson(op: number, d: unknown): void {
    this.deliver(() => this.onJson(op, d as Record<string, unknown>));
  }

  sendBinary(op: number, payload: Buffer): void {
    this.deliver(() => this.onBinary(op, payload));
  }

  /** One transport-decrypted frame from the bot: DAVE-decrypted, decoded, recorded; null when lost. */
  hear(botUserId: string, header: RtpHeader, frame: Buffer, receivedAt: number): VoicePacket | null {
    this.drain(); // what the gateway sent before this frame arrived was received before it, as on a network
    this.record.received += 1;
    const opus = this.open(botUserId, frame);
    if (opus === null) {
      this.record.failed += 1;
      return null;
    }
    const silence = isSilenceFrame(opus);
    const pcm = this.decoder.decode(opus);
    const packet: VoicePacket = {
      receivedAt,
      sequence: header.sequence,
      timestamp: header.timestamp,
      ssrc: header.ssrc,
      nonce: 0,
      opus,
      pcm: silence && pcm.length === 0 ? Buffer.alloc(PCM_FRAME_BYTES) : pcm,
      silence,
    };
    this.record.packets.push(packet);
    return packet;
  }

  /** Queues a gateway message; it is handled on the next turn of the event loop, or before the next frame. */
  private deliver(handle: () => void): void {
    this.inbox.push(handle);
    if (this.inbox.length === 1) setImmediate(() => this.drain());
  }

  private drain(): void {
    while (this.inbox.length > 0 && !this.closed) this.inbox.shift()!();
  }

  private open(botUserId: string, frame: Buffer): Buffer | null {
    const encrypted = frame.length > 2 && frame.readUInt16BE(frame.length - 2) === DAVE_MAGIC;
    if (isSilenceFrame(frame) || (!encrypted && !this.session?.ready)) {
      this.record.passthrough += 1;
      return frame;
    }
    if (!this.session?.ready) return null;
    try {
      const opus = this.session.decrypt(botUserId, AUDIO, frame);
      if (encrypted) this.record.decrypted += 1;
      else this.record.passthrough += 1;
      return opus;
    } catch (error) {
      this.record.errors.push(
        `${performance.now().toFixed(0)} decrypt (${encrypted ? 'DAVE' : 'plain'} frame): ` +
          `${String(error).slice(0, 60)}`,
      );
      return null;
    }
  }

  private onJson(op: number, d: Record<string, unknown>): void {
    if (op === DaveOp.ClientsConnect) for (const id of d.user_ids as string[]) this.connected.add(id);
    else if (op === DaveOp.ClientDisconnect) this.connected.delete(String(d.user_id));
    else if (op === DaveOp.PrepareEpoch && d.epoch === 1) this.reinit();
    else if (op === DaveOp.ExecuteTransition || (op === DaveOp.PrepareTransition && d.transition_id === 0))
      this.executed();
    else if (op === DaveOp.PrepareTransition) this.call.ready(this.userId, Number(d.transition_id));
  }

  private onBinary(op: number, payload: Buffer): void {
    if (op === DaveOp.ExternalSender) {
      this.externalSender = payload;
      this.session?.setExternalSender(payload);
    } else if (op === DaveOp.Proposals && this.session !== null) {
      let result: ProposalsResult;
      try {
        result = this.session.processProposals(payload[0] as ProposalsOperationType, payload.subarray(1), [
          ...this.connected,
        ]);
      } catch (error) {
        this.record.errors.push(`proposals: ${String(error)}`);
        return;
      }
      const { commit, welcome } = result;
      if (commit) this.call.onCommitWelcome(this.userId, welcome ? Buffer.concat([commit, welcome]) : commit);
    } else if (op === DaveOp.AnnounceCommit || op === DaveOp.Welcome) {
      this.processHandshake(op, payload.readUInt16BE(0), payload.subarray(2));
    }
  }

  private processHandshake(op: number, transitionId: number, message: Buffer): void {
    try {
      if (op === DaveOp.AnnounceCommit) this.session!.processCommit(message);
      else this.session!.processWelcome(message);
    } catch {
      this.call.onInvalid(this.userId, transitionId);
      this.reinit();
      return;
    }
    // Joining a group upgrades from transport-only encryption: unencrypted frames stay acceptable
    // until the transition executes (protocol.md "Upgrade from Transport-Only Encryption").
    if (!this.record.inGroup) this.session!.setPassthroughMode(true);
    this.record.inGroup = true;
    if (transitionId === 0) this.executed();
    else this.call.ready(this.userId, transitionId);
  }

  /** A transition executed: from now on only DAVE frames are accepted (after a short grace for frames in flight). */
  private executed(): void {
    if (this.session?.ready) this.session.setPassthroughMode(false, PASSTHROUGH_GRACE_S);
    this.record.privacyCodes.push(this.session?.voicePrivacyCode ?? '');
  }

  /** A fresh MLS state and key package, as @discordjs/voice's DAVESession.reinit does. */
  private reinit(): void {
    this.record.inGroup = false;
    if (this.session === null) this.session = new DAVESession(1, this.userId, this.call.channelId);
    else this.session.reinit(1, this.userId, this.call.channelId);
    this.session.setPassthroughMode(true);
    if (this.externalSender !== null) this.session.setExternalSender(this.externalSender);
    this.call.onKeyPackage(this.userId, this.session.getSerializedKeyPackage());
  }
}
