/**
 * The emulator's MLS external sender against @snazzah/davey (the DAVE implementation @discordjs/voice
 * ships) and against live Discord payloads recorded in davey's own tests (Snazzah/davey
 * davey-node/test/session.test.ts: channel 927310423890473011, user 158049329150427136).
 */
import { DAVESession, type MediaType, type ProposalsOperationType } from '@snazzah/davey';
import { describe, expect, it } from 'vitest';
import { TlsReader } from './discord/mlsCodec.ts';
import {
  appendProposalsPayload,
  createExternalSender,
  externalProposal,
  externalSenderPackage,
  groupIdOf,
} from './discord/mlsExternalSender.ts';
import {
  parseCommitWelcome,
  parseKeyPackageMessage,
  proposalRef,
  splitProposalMessages,
} from './discord/mlsMessages.ts';
import { LIVE_APPENDING_PROPOSALS, LIVE_EXTERNAL_SENDER, LIVE_REVOKING_PROPOSALS } from './discord-mls.vectors.ts';

const CHANNEL = '927310423890473011';
const ALICE = '158049329150427136';
const BOB = '158533742254751744';
const APPEND = 0 as ProposalsOperationType; // davey's const enums cannot be read under verbatimModuleSyntax
const AUDIO = 0 as MediaType;

describe('live Discord DAVE payloads', () => {
  it('parse as ExternalSender, one external Add proposal, and a revoke of exactly that proposal', () => {
    const sender = new TlsReader(LIVE_EXTERNAL_SENDER);
    expect(sender.vec()).toHaveLength(65);
    expect(sender.u16()).toBe(1); // basic credential
    expect([...sender.vec()]).toEqual([0]);
    const outer = new TlsReader(LIVE_APPENDING_PROPOSALS);
    const [proposal, ...rest] = splitProposalMessages(outer.vec());
    expect(rest).toEqual([]);
    expect(proposal!.subarray(5, 13)).toEqual(groupIdOf(CHANNEL)); // group id = channel snowflake
    const revoke = new TlsReader(new TlsReader(LIVE_REVOKING_PROPOSALS).vec());
    expect(revoke.vec().toString('hex')).toBe(proposalRef(proposal!));
  });
});

describe('the emulator as external sender', () => {
  it('signs an Add proposal davey accepts, and davey commits it into a group both members decrypt', () => {
    const sender = createExternalSender();
    const alice = new DAVESession(1, ALICE, CHANNEL);
    const bob = new DAVESession(1, BOB, CHANNEL);
    alice.setExternalSender(externalSenderPackage(sender));
    bob.setExternalSender(externalSenderPackage(sender));
    alice.getSerializedKeyPackage();
    const bobKp = parseKeyPackageMessage(bob.getSerializedKeyPackage());
    expect(bobKp.userId).toBe(BOB);
    const add = externalProposal(sender, groupIdOf(CHANNEL), 0n, { kind: 'add', keyPackage: bobKp.keyPackage });
    const payload = appendProposalsPayload([add]);
    const { commit, welcome } = alice.processProposals(APPEND, payload.subarray(1), [BOB]);
    const parsed = parseCommitWelcome(Buffer.concat([commit!, welcome!]));
    expect(parsed.epoch).toBe(0n);
    expect(parsed.refs).toEqual([proposalRef(add)]);
    expect(parsed.welcome).toEqual(welcome);
    alice.processCommit(parsed.message);
    bob.processWelcome(parsed.welcome!);
    expect(alice.ready && bob.ready).toBe(true);
    expect(bob.voicePrivacyCode).toBe(alice.voicePrivacyCode);
    const frame = Buffer.from([0xfc, 1, 2, 3, 4, 5, 6, 7]);
    const sealed = alice.encryptOpus(frame);
    expect(sealed.subarray(-2)).toEqual(Buffer.from([0xfa, 0xfa]));
    expect(bob.decrypt(ALICE, AUDIO, sealed)).toEqual(frame);
  });

  it('signs a Remove proposal that moves the group to the next epoch', () => {
    const sender = createExternalSender();
    const alice = new DAVESession(1, ALICE, CHANNEL);
    const bob = new DAVESession(1, BOB, CHANNEL);
    for (const s of [alice, bob]) s.setExternalSender(externalSenderPackage(sender));
    alice.getSerializedKeyPackage();
    const add = externalProposal(sender, groupIdOf(CHANNEL), 0n, {
      kind: 'add',
      keyPackage: parseKeyPackageMessage(bob.getSerializedKeyPackage()).keyPackage,
    });
    const first = alice.processProposals(APPEND, appendProposalsPayload([add]).subarray(1), [BOB]);
    alice.processCommit(first.commit!);
    const remove = externalProposal(sender, groupIdOf(CHANNEL), 1n, { kind: 'remove', leaf: 1 });
    const second = alice.processProposals(APPEND, appendProposalsPayload([remove]).subarray(1), []);
    expect(second.welcome).toBeUndefined();
    expect(parseCommitWelcome(second.commit!).epoch).toBe(1n);
    alice.processCommit(second.commit!);
    expect(alice.epoch).toBe(2n);
    expect(alice.getUserIds()).toEqual([ALICE]);
  });
});
