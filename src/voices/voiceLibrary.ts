import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DashScopeError } from '../dashscope/errors.ts';
import { ACCOUNT_VOICE_QUOTA } from '../dashscope/limits.ts';
import type { TargetModel } from '../dashscope/models.ts';
import { type DesignRequest, type ValidDesignRequest, validateDesign } from '../dashscope/validate.ts';
import type { AccountVoice, CreatedVoice, VoiceDesignClient } from '../dashscope/voiceDesign.ts';
import { invalidInput, UserError } from '../errors.ts';
import type { Reservation, Spender } from '../spend/ledger.ts';
import type { CharacterVoice } from './characterVoice.ts';
import type { PendingDesign } from './pendingDesigns.ts';
import { createOrRecover } from './recoverCreate.ts';
import type { VoiceRegistry } from './registry.ts';
import { syncGuild } from './sync.ts';
import { nameProblem, normalizeName } from './voiceRecord.ts';

/** A design as a member asks for it: the DashScope request plus the registry name and author. */
export interface DesignInput extends DesignRequest {
  /** Registry name; defaults to the preferred name. */
  registryName?: string | undefined;
  createdBy: string;
}

export interface DesignResult {
  voice: CharacterVoice;
  preview: CreatedVoice['preview'];
  /** The create was not answered but the voice was found through `list` (no preview then). */
  recovered: boolean;
}

export interface VoiceLibraryOptions {
  client: VoiceDesignClient;
  registry: VoiceRegistry;
  defaultModel: TargetModel;
  /** Voices the whole DashScope account may hold. */
  accountQuota?: number;
  /** How long reconciliation keeps looking for a voice whose create went unanswered, ms. */
  reconcileWindowMs?: number;
  /** The spend ledger: a design is reserved against the budgets before it is paid for. */
  spend?: DesignSpend;
}

/** The part of the spend ledger a design uses. */
export interface DesignSpend {
  reserveDesign(spender: Spender): Promise<Reservation>;
  settle(reservation: Reservation, used: number): Promise<void>;
}

/**
 * Designs, removes and syncs voices for one guild at a time: DashScope and the guild's registry kept in step.
 * @remarks The one place that spends money: every check that can fail runs before the billed create.
 */
export class VoiceLibrary {
  readonly #client: VoiceDesignClient;
  readonly #registry: VoiceRegistry;
  readonly #defaultModel: TargetModel;
  readonly #accountQuota: number;
  readonly #reconcileWindowMs: number;
  readonly #spend: DesignSpend | undefined;
  /** Designs between their reservation and their last write: shutdown waits for them. */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: VoiceLibraryOptions) {
    this.#client = options.client;
    this.#registry = options.registry;
    this.#defaultModel = options.defaultModel;
    this.#accountQuota = options.accountQuota ?? ACCOUNT_VOICE_QUOTA;
    this.#reconcileWindowMs = options.reconcileWindowMs ?? 6_000;
    this.#spend = options.spend;
  }

  /** Paid designs still running. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Waits until no paid design is running, or `timeoutMs` passed; returns how many were still running. */
  async drain(timeoutMs: number): Promise<number> {
    const timeout = delay(timeoutMs, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.#inFlight]), timeout]);
    return this.#inFlight.size;
  }

  /**
   * Checks a design's input against every documented limit, with no I/O at all.
   * @throws UserError `invalid_input` naming the problems.
   */
  validate(input: DesignInput): { request: ValidDesignRequest; name: string } {
    const name = normalizeName(input.registryName ?? input.preferredName);
    const problem = nameProblem(name);
    if (problem) throw invalidInput(problem);
    return { request: validateDesign(input, { targetModel: this.#defaultModel }), name };
  }

  /** Checks everything about a design that can be checked without spending money. */
  async prepare(
    guildId: string,
    input: DesignInput,
    signal?: AbortSignal,
  ): Promise<{ request: ValidDesignRequest; name: string }> {
    const { request, name } = this.validate(input);
    if (await this.#registry.get(guildId, name))
      throw new UserError('conflict', `This server already has a voice named "${name}".`);
    if ((await this.#registry.pending(guildId)).some((p) => p.name.toLowerCase() === name.toLowerCase()))
      throw new UserError('conflict', `A voice named "${name}" is being designed right now.`);
    await this.#registry.assertRoom(guildId);
    const { totalCount } = await this.#client.list({ pageSize: 1 }, signal);
    if (totalCount >= this.#accountQuota)
      throw new UserError(
        'quota_full',
        `The bot's DashScope account holds ${totalCount} of its ${this.#accountQuota} voices, ` +
          'so no new voice can be designed until some are deleted.',
      );
    return { request, name };
  }

  /**
   * Designs a voice at DashScope and saves it in the guild's registry.
   * @remarks Before the paid create: every check, a pending entry in the store (holding the name and a place
   * under the cap; a store that cannot be written refuses here), and a reservation against the budgets.
   */
  async design(guildId: string, input: DesignInput, signal?: AbortSignal): Promise<DesignResult> {
    const { request, name } = await this.prepare(guildId, input, signal);
    const pending: PendingDesign = {
      id: randomUUID(),
      name,
      createdBy: input.createdBy,
      startedAt: Date.now(),
      request: {
        preferredName: request.preferredName,
        targetModel: request.targetModel,
        description: request.description,
        previewText: request.previewText,
        language: request.language,
      },
    };
    await this.#registry.holdPending(guildId, pending);
    let reservation: Reservation | undefined;
    try {
      reservation = await this.#spend?.reserveDesign({ guildId, memberId: input.createdBy });
    } catch (error) {
      await this.#registry.dropPending(guildId, pending.id);
      throw error;
    }
    const flight = this.#paidDesign(guildId, pending, request, reservation, signal);
    this.#inFlight.add(flight);
    return flight.finally(() => this.#inFlight.delete(flight));
  }

  async #paidDesign(
    guildId: string,
    pending: PendingDesign,
    request: ValidDesignRequest,
    reservation: Reservation | undefined,
    signal?: AbortSignal,
  ): Promise<DesignResult> {
    let outcome: { created: CreatedVoice; recovered: boolean };
    try {
      const known = async () => new Set((await this.#registry.list(guildId)).map((v) => v.voiceId));
      const listAccount = () => this.accountVoices(signal);
      const window = { windowMs: this.#reconcileWindowMs, signal };
      outcome = await createOrRecover(this.#client, request, { known, listAccount, ...window });
    } catch (error) {
      // Unanswered creates were looked for already: nothing was created, so nothing is billed.
      if (reservation) await this.#spend?.settle(reservation, 0);
      await this.#registry.dropPending(guildId, pending.id);
      throw error;
    }
    const { created, recovered } = outcome;
    const voice: CharacterVoice = {
      name: pending.name,
      voiceId: created.voiceId,
      targetModel: request.targetModel,
      description: request.description,
      language: request.language,
      createdBy: pending.createdBy,
      createdAt: Date.now(),
    };
    // A failed write leaves the pending entry: the next start adopts the voice instead of losing it.
    const saved = await this.#registry.add(guildId, voice);
    await this.#registry.dropPending(guildId, pending.id);
    return { voice: saved, preview: created.preview, recovered };
  }

  /**
   * Removes a voice from the guild's registry and deletes it at DashScope.
   * @returns the voice, with `alreadyGone` set when DashScope no longer had it.
   */
  async remove(
    guildId: string,
    nameOrVoiceId: string,
    signal?: AbortSignal,
  ): Promise<CharacterVoice & { alreadyGone: boolean }> {
    const voice = await this.#registry.get(guildId, nameOrVoiceId);
    if (!voice) throw new UserError('not_found', `This server has no voice called "${nameOrVoiceId}".`);
    let alreadyGone = false;
    try {
      await this.#client.delete(voice.voiceId, signal);
    } catch (error) {
      if (!(error instanceof DashScopeError && error.code === 'VoiceNotFound')) throw error;
      alreadyGone = true;
    }
    await this.#registry.remove(guildId, voice.voiceId);
    return { ...voice, alreadyGone };
  }

  /** Every voice of the DashScope account. */
  async accountVoices(signal?: AbortSignal): Promise<AccountVoice[]> {
    return Array.fromAsync(this.#client.listAll(signal));
  }

  /** Compares the guild's registry with the account's voices; prunes entries whose voice is gone when asked. */
  async sync(guildId: string, prune: boolean, signal?: AbortSignal): Promise<Awaited<ReturnType<typeof syncGuild>>> {
    const listedAt = Date.now(); // a voice designed while the account is listed is not missing
    const ids = new Set((await this.accountVoices(signal)).map((v) => v.voiceId));
    return syncGuild(this.#registry, guildId, ids, { prune, listedAt });
  }
}
