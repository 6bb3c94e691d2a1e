import type { GuildLimits } from './budget.ts';
import type { SpendLedger } from './ledger.ts';
import { periodsOf } from './periods.ts';

/** One member's or voice's share of a month. */
export interface Share {
  id: string;
  designs: number;
  chars: number;
  usd: number;
}

/** A server's spend in one month, with its budgets; what `/voice usage` and `voicebot usage` show. */
export interface UsageReport {
  guildId: string;
  month: string;
  designs: number;
  chars: number;
  /** Estimated dollars, at the prices in force when each unit was spent. */
  usd: number;
  limits: GuildLimits;
  left: { designs: number; chars: number };
  /** Today's characters of the member asking, against their daily budget. */
  today?: { memberId: string; chars: number; left: number };
  /** The month's share of the member asking. */
  member?: Share;
  topMembers: Share[];
  topVoices: Share[];
}

const TOP = 5;

/** Builds a server's report for the month `now` falls in; `memberId` adds that member's day. */
export async function usageReport(
  ledger: SpendLedger,
  guildId: string,
  options: { now?: number; memberId?: string } = {},
): Promise<UsageReport> {
  const now = options.now ?? Date.now();
  const [month, limits] = await Promise.all([ledger.month(guildId, now), ledger.budgets.limits(guildId)]);
  const designs = month.designs ?? 0;
  const chars = month.chars ?? 0;
  const report: UsageReport = {
    guildId,
    month: periodsOf(now).month,
    designs,
    chars,
    usd: (month.usd_micro ?? 0) / 1e6,
    limits,
    left: { designs: Math.max(0, limits.designsPerMonth - designs), chars: Math.max(0, limits.charsPerMonth - chars) },
    topMembers: top(shares(month, 'member')),
    topVoices: top(shares(month, 'voice')),
  };
  if (options.memberId !== undefined) {
    const used = (await ledger.day(guildId, now))[`member:${options.memberId}:chars`] ?? 0;
    report.today = { memberId: options.memberId, chars: used, left: Math.max(0, limits.memberCharsPerDay - used) };
    const own = shares(month, 'member').find((m) => m.id === options.memberId);
    report.member = own ?? { id: options.memberId, designs: 0, chars: 0, usd: 0 };
  }
  return report;
}

function shares(fields: Record<string, number>, kind: 'member' | 'voice'): Share[] {
  const byId = new Map<string, Share>();
  for (const [field, value] of Object.entries(fields)) {
    const match = new RegExp(`^${kind}:(.+):(designs|chars|usd_micro)$`).exec(field);
    if (!match) continue;
    const [, id = '', unit] = match;
    const share = byId.get(id) ?? { id, designs: 0, chars: 0, usd: 0 };
    if (unit === 'usd_micro') share.usd = value / 1e6;
    else share[unit as 'designs' | 'chars'] = value;
    byId.set(id, share);
  }
  return [...byId.values()];
}

function top(list: Share[]): Share[] {
  return list.sort((a, b) => b.usd - a.usd || b.chars - a.chars).slice(0, TOP);
}
