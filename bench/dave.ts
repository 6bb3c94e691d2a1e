#!/usr/bin/env node
/**
 * What DAVE costs a `/say`: from the loopback Discord dispatching the interaction to the first audible
 * frame at alice, a listening member in the call — DAVE-decrypted when the call is end-to-end
 * encrypted (protocol version 1), transport-only when DAVE is off (version 0). Both in this run,
 * alternating so drift on this shared machine hits both alike.
 */
import { measureSay, percentile, type SayWorld, startSayWorld } from './sayWorld.ts';

const RUNS = Number(process.env.RUNS ?? 50);

/** A world whose bot is already in the call (with DAVE, the MLS group is formed). */
async function startWorld(daveVersion: 0 | 1): Promise<SayWorld> {
  const world = await startSayWorld({ daveVersion });
  await measureSay(world); // warm-up: joins the channel (and, with DAVE, forms the MLS group)
  return world;
}

const withDave = await startWorld(1);
const without = await startWorld(0);
const samples = { dave: [] as number[], plain: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  samples.dave.push(await measureSay(withDave));
  samples.plain.push(await measureSay(without));
}
const alice = (w: SayWorld) => w.discord.listener(w.guild.id, w.guild.members.alice!)!;
const [d, p] = [alice(withDave), alice(without)];
await withDave.stop();
await without.stop();
const [d50, d95, p50, p95] = [
  percentile(samples.dave, 50),
  percentile(samples.dave, 95),
  percentile(samples.plain, 50),
  percentile(samples.plain, 95),
];
console.log(`/say → first audible frame at a listening member, ${RUNS} runs each, alternating (ms)`);
console.log(
  `  DAVE v1 (decrypted by the listener)  p50 ${d50.toFixed(1)}  p95 ${d95.toFixed(1)}  · frames decrypted ` +
    `${d.decrypted}, failed ${d.failed}`,
);
console.log(
  `  DAVE off (transport only)            p50 ${p50.toFixed(1)}  p95 ${p95.toFixed(1)}  · frames passthrough ` +
    `${p.passthrough}`,
);
console.log(`  DAVE cost at p50 ${(d50 - p50).toFixed(1)} ms (target < 5), at p95 ${(d95 - p95).toFixed(1)} ms`);
process.exit(0);
