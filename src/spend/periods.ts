/** The day (`YYYY-MM-DD`) and month (`YYYY-MM`) a moment falls in, in UTC: the periods budgets run on. */
export interface Periods {
  day: string;
  month: string;
}

export function periodsOf(now: number): Periods {
  const iso = new Date(now).toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

/** Unix ms of the next UTC midnight and of the first of next month, UTC. */
export function nextPeriods(now: number): { day: number; month: number } {
  const d = new Date(now);
  return {
    day: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1),
    month: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/** Bucket names of the ledger. */
export const bucket = {
  guildMonth: (guildId: string, month: string) => `g:${guildId}:m:${month}`,
  guildDay: (guildId: string, day: string) => `g:${guildId}:d:${day}`,
  accountMonth: (month: string) => `account:m:${month}`,
  accountDay: (day: string) => `account:d:${day}`,
} as const;
