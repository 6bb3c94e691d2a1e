import { periodsOf } from '../spend/periods.ts';
import { usageReport } from '../spend/report.ts';
import { COMMON, flag, parse, text } from './args.ts';
import type { CliContext } from './context.ts';
import { type Output, printJson, table } from './output.ts';

export const USAGE_HELP = `What the bot spent this month (UTC), from the spend ledger.

Usage:
  voicebot usage [--guild ID] [--json]

  without --guild  the whole DashScope account: designs, characters and estimated dollars this month and today,
                   against the account's daily ceiling
  --guild          one server: its month against its budgets, its top members and voices
  --json           the same as JSON`;

/** `voicebot usage`. */
export async function usage(argv: string[], ctx: CliContext, output: Output): Promise<void> {
  const parsed = parse(argv, { command: 'usage', options: COMMON, maxPositionals: 0 });
  if (flag(parsed, 'help')) return output.out(USAGE_HELP);
  const { spend } = await ctx.services();
  const guildId = text(parsed, 'guild');
  if (guildId !== undefined) {
    const report = await usageReport(spend, guildId);
    if (flag(parsed, 'json')) return printJson(output, report);
    const usd = (v: number): string => `$${v.toFixed(2)}`;
    output.out(`Server ${guildId}, ${report.month} (UTC): estimated ${usd(report.usd)}`);
    output.out(
      table(
        ['budget', 'used', 'limit', 'left'],
        [
          ['designs', String(report.designs), String(report.limits.designsPerMonth), String(report.left.designs)],
          ['characters', String(report.chars), String(report.limits.charsPerMonth), String(report.left.chars)],
        ],
      ),
    );
    const rows = [
      ...report.topMembers.map((s) => ['member', s.id, String(s.designs), String(s.chars), usd(s.usd)]),
      ...report.topVoices.map((s) => ['voice', s.id, '', String(s.chars), '']),
    ];
    if (rows.length > 0) output.out(table(['top', 'id', 'designs', 'characters', 'dollars'], rows));
    return;
  }
  const now = Date.now();
  const [month, day] = await Promise.all([spend.month(undefined, now), spend.accountDay(now)]);
  const account = {
    month: periodsOf(now).month,
    day: periodsOf(now).day,
    thisMonth: { designs: month.designs ?? 0, chars: month.chars ?? 0, usd: (month.usd_micro ?? 0) / 1e6 },
    today: { designs: day.designs ?? 0, chars: day.chars ?? 0, usd: (day.usd_micro ?? 0) / 1e6 },
    ceilingUsdPerDay: spend.budgets.operator.accountUsdPerDay,
    prices: spend.prices,
  };
  if (flag(parsed, 'json')) return printJson(output, account);
  const row = (label: string, v: typeof account.today): string[] => [
    label,
    String(v.designs),
    String(v.chars),
    `$${v.usd.toFixed(2)}`,
  ];
  output.out(`The DashScope account (every server), ceiling $${account.ceilingUsdPerDay.toFixed(2)} a day`);
  output.out(
    table(
      ['period', 'designs', 'characters', 'dollars'],
      [row(account.month, account.thisMonth), row(account.day, account.today)],
    ),
  );
}
