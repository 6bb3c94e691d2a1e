/**
 * The Grafana dashboard in deploy/: valid JSON, every query valid PromQL (the Prometheus project's own grammar,
 * @prometheus-io/lezer-promql), and every metric it names one the bot registers.
 */
import { readFile } from 'node:fs/promises';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/metrics/botMetrics.ts';
import { registerCollectors } from '../../src/metrics/collectors.ts';

const DASHBOARD = new URL('../../deploy/grafana/dashboards/voicebot.json', import.meta.url);

interface Panel {
  title?: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; definition?: string }[] };
}

/** Grafana's variables replaced by what Prometheus would receive. */
function substituted(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$shard', '.*');
}

/** The metric names a PromQL expression selects; throws on a syntax error. */
function metricsIn(expr: string): string[] {
  const query = substituted(expr);
  const names: string[] = [];
  let error: number | undefined;
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) error = node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(query.slice(node.from, node.to));
    },
  });
  if (error !== undefined) throw new Error(`not PromQL at ${error}: ${query}`);
  return names;
}

/** Every series name the bot exposes: histograms as their `_bucket`, `_sum` and `_count`. */
async function registeredNames(): Promise<Set<string>> {
  const metrics = new BotMetrics('all');
  registerCollectors(metrics.registry, {
    sessions: () => ({ opened: 0, reused: 0, open: 0 }),
    voice: () => ({ connections: 0, queued: 0 }),
    billedToday: async () => ({ designs: 0, characters: 0, usd: 0 }),
    gatewayReady: () => false,
  });
  const families = await metrics.registry.getMetricsAsJSON();
  return new Set(
    families.flatMap((f) =>
      String(f.type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => f.name + s) : [f.name],
    ),
  );
}

async function dashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
}

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

describe('the Grafana dashboard', () => {
  it('queries only metrics the bot registers, in valid PromQL', async () => {
    const board = await dashboard();
    const registered = await registeredNames();
    const exprs = allPanels(board.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const used = new Set(exprs.flatMap(metricsIn));
    for (const name of used) expect(registered, `${name} is not a metric of the bot`).toContain(name);
    const variables = board.templating.list.flatMap((v) => /^label_values\((\w+),/.exec(v.definition ?? '') ?? []);
    expect(variables).toHaveLength(2);
    expect(registered).toContain(variables[1]);
  });

  it('shows every metric the issue names', async () => {
    const exprs = allPanels((await dashboard()).panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const used = new Set(exprs.flatMap(metricsIn));
    for (const name of [
      'voicebot_utterances_total',
      'voicebot_tts_first_audio_seconds_bucket',
      'voicebot_request_first_packet_seconds_bucket',
      'voicebot_tts_sessions_opened_total',
      'voicebot_tts_sessions_reused_total',
      'voicebot_tts_sessions_refused_total',
      'voicebot_limiter_wait_seconds_bucket',
      'voicebot_speech_characters_billed_total',
      'voicebot_account_billed_today',
      'voicebot_queue_depth',
      'voicebot_voice_connections',
      'voicebot_dashscope_errors_total',
      'voicebot_store_errors_total',
      'nodejs_eventloop_lag_p99_seconds',
    ])
      expect(used, name).toContain(name);
  });

  it('rejects what is not PromQL, and a metric the bot does not have (the checks can fail)', async () => {
    expect(() => metricsIn('sum(rate(voicebot_utterances_total[5m]')).toThrow(/not PromQL/);
    expect(await registeredNames()).not.toContain('voicebot_utterances');
  });
});
