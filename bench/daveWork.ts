/**
 * DAVE frame encryption as the bot does it: a @snazzah/davey session of protocol version 1 in an
 * established two-member group (the emulator's external sender signs the Add), sealing Opus frames.
 */
import { DAVESession, type ProposalsOperationType } from '@snazzah/davey';
import {
  appendProposalsPayload,
  createExternalSender,
  externalProposal,
  externalSenderPackage,
  groupIdOf,
} from '../test/emulators/discord/mlsExternalSender.ts';
import { parseKeyPackageMessage } from '../test/emulators/discord/mlsMessages.ts';
import type { Stream } from './audioRealtime.ts';

const CHANNEL = '927310423890473011';
const APPEND = 0 as ProposalsOperationType;

/** A sender session that is `ready` (epoch 1 with one other member), as the bot's is in a call. */
export function readyDaveSession(sender = '158049329150427136', other = '158533742254751744'): DAVESession {
  const external = createExternalSender();
  const session = new DAVESession(1, sender, CHANNEL);
  const peer = new DAVESession(1, other, CHANNEL);
  for (const s of [session, peer]) s.setExternalSender(externalSenderPackage(external));
  session.getSerializedKeyPackage();
  const add = externalProposal(external, groupIdOf(CHANNEL), 0n, {
    kind: 'add',
    keyPackage: parseKeyPackageMessage(peer.getSerializedKeyPackage()).keyPackage,
  });
  const { commit } = session.processProposals(APPEND, appendProposalsPayload([add]).subarray(1), [other]);
  session.processCommit(commit!);
  if (!session.ready) throw new Error('the DAVE session did not become ready');
  return session;
}

/** A stream that DAVE-encrypts one Opus frame per step (the frames cycle from `opusFrames`). */
export function daveEncryptStream(opusFrames: readonly Buffer[], offset: number): Stream {
  const session = readyDaveSession();
  let i = offset;
  return { step: () => void session.encryptOpus(opusFrames[i++ % opusFrames.length]!), close: () => session.reset() };
}
