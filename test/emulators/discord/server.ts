/**
 * The loopback Discord emulator: REST + main gateway on one HTTP port, the voice gateway over TLS,
 * and voice UDP — enough for discord.js 14 and @discordjs/voice 0.19 (see shared/spec/discord.md).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createContext, type EmulatorContext } from './context.ts';
import { endCall } from './daveMembers.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { type CommandsApi, commandsApi, type GatewayApi, gatewayApi, type RestApi, restApi } from './observeApi.ts';
import { onRestRequest } from './rest.ts';
import { commandRoutes } from './restCommands.ts';
import { interactionRoutes } from './restInteractions.ts';
import { messageRoutes } from './restMessages.ts';
import { metaRoutes } from './restMeta.ts';
import { type VoiceStatusApi, voiceStatusApi, voiceStatusRoutes } from './restVoiceStatus.ts';
import { cryptoReady } from './rtp.ts';
import { addGuild, type InteractionApi, interactionApi, type MessageApi, messageApi } from './scriptApi.ts';
import { createCertificate, type EmulatorCertificate, trustCertificateInProcess } from './tls.ts';
import type { AddedGuild, DiscordEmulatorOptions, GuildSpec } from './types.ts';
import { type VoiceApi, voiceApi } from './voiceApi.ts';
import { startVoiceGateway } from './voiceGateway.ts';
import { onBotVoiceRequest, setMemberVoice } from './voiceSignals.ts';
import { startVoiceUdp, type VoiceUdp } from './voiceUdp.ts';

export { dominantFrequency, rms, sineTone } from './analysis.ts';
export type { RegisteredCommand } from './commands.ts';
export type { DaveCallRecord, DaveFault, DaveTransitionRecord, ListenerRecord } from './daveRecord.ts';
export { type Choice, InteractionHandle } from './interactionHandle.ts';
export type { OptionValue } from './interactionOptions.ts';
export type { CallbackEvent, InteractionEvent } from './interactionRecord.ts';
export type {
  AutocompleteSpec,
  ButtonSpec,
  InteractionTarget,
  ModalSubmitSpec,
  SelectMenuSpec,
  SlashCommandSpec,
} from './interactions.ts';
export type { MessageEditSpec, TypingSpec, UserMessageSpec } from './messageEvents.ts';
export type { AttachmentInput } from './messageStore.ts';
export type { CommandsApi, GatewayApi, RestApi, RestFaultSpec } from './observeApi.ts';
export { ALL_PERMISSIONS, DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, Perm } from './permissions.ts';
export type { VoiceStatusApi } from './restVoiceStatus.ts';
export type { AeadMode } from './rtp.ts';
export type { InteractionApi, MessageApi } from './scriptApi.ts';
export { trustCertificateInProcess } from './tls.ts';
export type * from './types.ts';
export type { AudioWaitOptions, VoiceApi } from './voiceApi.ts';
export type { CapturedAudio, GuildVoice, SpeakingEvent, VoiceClose, VoicePacket, VoiceRequest } from './voiceRecord.ts';
export { maxRtpGapMs } from './voiceRecord.ts';

type Closer = () => Promise<void> | void;

/** A running emulator: connection details, scripting, recordings. */
export interface DiscordEmulator extends VoiceApi, MessageApi, InteractionApi, VoiceStatusApi {
  /** `http://127.0.0.1:R/api`: pass as `rest: { api }` to discord.js. */
  restUrl: string;
  /** `ws://127.0.0.1:R`, what `GET /gateway/bot` returns. */
  gatewayUrl: string;
  token: string;
  applicationId: string;
  botUsername: string;
  /** PEM file of the voice gateway's certificate: `NODE_EXTRA_CA_CERTS` for a bot process. */
  certPath: string;
  /** Trusts the certificate in this process (for discord.js running inside the test). */
  trustInProcess(): void;
  addGuild(spec: GuildSpec): AddedGuild;
  /** Moves a member in or out of voice (VOICE_STATE_UPDATE); the bot with `null` is disconnected. */
  setVoiceState(guildId: string, userId: string, channelId: string | null): void;
  /**
   * Resolves once every voice packet that reached the emulator before the call is in the voice records.
   * @remarks Packets are stamped on arrival by the UDP thread and recorded when this thread gets to them; a loop
   * that asks whether the bot went quiet must not mistake its own backlog for silence.
   */
  voiceCaughtUp(): Promise<void>;
  rest: RestApi;
  commands: CommandsApi;
  gateway: GatewayApi;
  /** Closes every socket and server and removes the certificate. */
  close(): Promise<void>;
}

/** Starts the emulator on free loopback ports. */
export async function startDiscordEmulator(options: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  await cryptoReady();
  const ctx = createContext(options);
  const cert = await createCertificate();
  const closers: Closer[] = [() => cert.remove()];
  try {
    const gateway = createGateway(ctx, (d) => onBotVoiceRequest(ctx, d));
    closers.unshift(() => gateway.close());
    const http = await startHttp(ctx, (req, socket, head) => gateway.handleUpgrade(req, socket, head));
    closers.unshift(http.close);
    const voiceGateway = await startVoiceGateway(ctx, cert);
    ctx.voicePort = voiceGateway.port;
    closers.unshift(voiceGateway.close);
    const udp = await startVoiceUdp(ctx);
    ctx.udpPort = udp.port;
    closers.unshift(udp.close);
    return assemble(ctx, cert, gateway, udp, closers);
  } catch (error) {
    await runClosers(ctx, closers);
    throw error;
  }
}

function assemble(
  ctx: EmulatorContext,
  cert: EmulatorCertificate,
  gateway: Gateway,
  udp: VoiceUdp,
  closers: Closer[],
): DiscordEmulator {
  return {
    restUrl: `${ctx.restOrigin}/api`,
    gatewayUrl: ctx.gatewayUrl,
    token: ctx.options.token,
    applicationId: ctx.bot.id,
    botUsername: ctx.bot.username,
    certPath: cert.certPath,
    trustInProcess: () => trustCertificateInProcess(cert.cert),
    addGuild: (spec) => addGuild(ctx, spec),
    setVoiceState: (guildId, userId, channelId) => setMemberVoice(ctx, guildId, userId, channelId),
    voiceCaughtUp: udp.caughtUp,
    ...messageApi(ctx),
    ...interactionApi(ctx),
    ...voiceApi(ctx),
    ...voiceStatusApi(ctx),
    rest: restApi(ctx),
    commands: commandsApi(ctx),
    gateway: gatewayApi(ctx, gateway),
    close: () => runClosers(ctx, closers),
  };
}

async function runClosers(ctx: EmulatorContext, closers: Closer[]): Promise<void> {
  ctx.watch.close();
  for (const state of ctx.voice.values()) {
    endCall(state);
    state.decoder?.destroy();
  }
  for (const close of closers.splice(0)) {
    try {
      await close();
    } catch {
      // Keep closing the rest.
    }
  }
}

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

async function startHttp(ctx: EmulatorContext, onUpgrade: UpgradeHandler): Promise<{ close: () => Promise<void> }> {
  const routes = [
    ...metaRoutes(),
    ...commandRoutes(),
    ...interactionRoutes(),
    ...messageRoutes(),
    ...voiceStatusRoutes(),
  ];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void onRestRequest(ctx, routes, req, res));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    onUpgrade(req, socket, head);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  ctx.restOrigin = `http://127.0.0.1:${port}`;
  ctx.gatewayUrl = `ws://127.0.0.1:${port}`;
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}
