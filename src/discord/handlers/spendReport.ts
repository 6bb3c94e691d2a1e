import type { GuildLimits } from '../../spend/budget.ts';
import { type Share, type UsageReport, usageReport } from '../../spend/report.ts';
import type { Handler } from '../app.ts';
import { assertManagesServer, managesServer } from '../permissions.ts';
import { NO_MENTIONS, respond } from '../reply.ts';

const n = (value: number): string => value.toLocaleString('en');
const usd = (value: number): string => `$${value.toFixed(2)}`;

/** `/voice usage`: the month's spend; Manage Server sees the server's, a member their own. */
export const usage: Handler = async (interaction, app) => {
  const report = await usageReport(app.spend, interaction.guildId, { memberId: interaction.user.id });
  const names = new Map((await app.registry.list(interaction.guildId)).map((v) => [v.voiceId, v.name]));
  const lines = managesServer(interaction) ? serverLines(report, names) : memberLines(report);
  await respond(interaction, { content: lines.join('\n'), allowedMentions: NO_MENTIONS });
};

/** `/voice limits [designs_per_month] [chars_per_month] [member_chars_per_day]`: Manage Server. */
export const limits: Handler = async (interaction, app) => {
  assertManagesServer(interaction, 'Seeing and changing this server’s budgets');
  const changes: Partial<GuildLimits> = {};
  const read = (option: string, key: keyof GuildLimits): void => {
    const value = interaction.options.getInteger(option);
    if (value !== null) changes[key] = value;
  };
  read('designs_per_month', 'designsPerMonth');
  read('chars_per_month', 'charsPerMonth');
  read('member_chars_per_day', 'memberCharsPerDay');
  const changed = Object.keys(changes).length > 0;
  const now = changed
    ? await app.spend.budgets.lower(interaction.guildId, changes)
    : await app.spend.budgets.limits(interaction.guildId);
  if (changed) app.log.info({ guildId: interaction.guildId, limits: now }, 'budgets changed');
  const operator = app.spend.budgets.operator;
  await respond(interaction, {
    content: [
      changed
        ? '**Budgets changed.** Now in force:'
        : '**This server’s budgets** (the operator’s ceiling in brackets):',
      `Voice designs per month: ${n(now.designsPerMonth)} (${n(operator.designsPerMonth)})`,
      `Characters of speech per month: ${n(now.charsPerMonth)} (${n(operator.charsPerMonth)})`,
      `Characters per member per day: ${n(now.memberCharsPerDay)} (${n(operator.memberCharsPerDay)})`,
      'Lower them with the options of /voice limits; they can go back up to the operator’s ceiling.',
    ].join('\n'),
    ephemeral: !changed,
  });
};

function serverLines(r: UsageReport, names: ReadonlyMap<string, string>): string[] {
  const share = (s: Share, label: string): string =>
    `• ${label} — ${n(s.designs)} designs, ${n(s.chars)} characters, ${usd(s.usd)}`;
  return [
    `**Spend this month (${r.month}, UTC)** — estimated ${usd(r.usd)}`,
    `Voice designs: ${n(r.designs)} of ${n(r.limits.designsPerMonth)} (${n(r.left.designs)} left)`,
    `Characters of speech: ${n(r.chars)} of ${n(r.limits.charsPerMonth)} (${n(r.left.chars)} left)`,
    `Each member: ${n(r.limits.memberCharsPerDay)} characters a day`,
    ...(r.topMembers.length > 0 ? ['**Top members**', ...r.topMembers.map((s) => share(s, `<@${s.id}>`))] : []),
    ...(r.topVoices.length > 0
      ? ['**Top voices**', ...r.topVoices.map((s) => `• \`${names.get(s.id) ?? s.id}\` — ${n(s.chars)} characters`)]
      : []),
  ];
}

function memberLines(r: UsageReport): string[] {
  const own = r.member ?? { designs: 0, chars: 0, usd: 0 };
  const today = r.today ?? { chars: 0, left: r.limits.memberCharsPerDay };
  return [
    `**Your spend this month (${r.month}, UTC)** — estimated ${usd(own.usd)}`,
    `Voice designs: ${n(own.designs)} · Characters of speech: ${n(own.chars)}`,
    `Today: ${n(today.chars)} of ${n(r.limits.memberCharsPerDay)} characters (${n(today.left)} left)`,
    `This server has ${n(r.left.designs)} designs and ${n(r.left.chars)} characters left this month.`,
  ];
}
