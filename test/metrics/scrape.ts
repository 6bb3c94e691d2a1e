/** Reads a monitoring endpoint over real HTTP and parses `/metrics` (Prometheus text format). */
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';

/** GETs `path` from `base`; the status and the body. */
export async function get(base: string, path: string): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') ?? '' };
}

/** The parsed families of one `/metrics` scrape. */
export async function scrape(base: string): Promise<Scrape> {
  const { status, body } = await get(base, '/metrics');
  if (status !== 200) throw new Error(`/metrics answered ${status}: ${body}`);
  return new Scrape(body);
}

/**
 * One scrape, read by metric name and labels.
 * @remarks parse-prometheus-text-format drops the `_sum` and `_count` of a histogram with labels
 * (yunyu/parse-prometheus-text-format#13, fix unmerged in #8): histograms are read from a second parse with
 * their `# TYPE` lines removed, where `x_sum` and `x_count` are plain families with their labels.
 */
export class Scrape {
  readonly families: PromFamily[];
  readonly #flat: PromFamily[];
  constructor(text: string) {
    this.families = parsePrometheusTextFormat(text);
    this.#flat = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram$/gm, ''));
  }

  family(name: string): PromFamily {
    const family = this.families.find((f) => f.name === name);
    if (family === undefined) throw new Error(`no metric ${name} in the scrape`);
    return family;
  }

  /** A counter's or gauge's value for the sample whose labels include `labels` (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    this.family(name);
    const sample = this.#sample(name, labels);
    return sample?.value === undefined ? 0 : Number(sample.value);
  }

  /** A histogram's observation count for the series whose labels include `labels` (0 when there is none). */
  count(name: string, labels: Record<string, string> = {}): number {
    this.#histogram(name);
    const sample = this.#sample(`${name}_count`, labels, this.#flat);
    return sample?.value === undefined ? 0 : Number(sample.value);
  }

  /** A histogram's sum of observations, in its unit. */
  sum(name: string, labels: Record<string, string> = {}): number {
    this.#histogram(name);
    const sample = this.#sample(`${name}_sum`, labels, this.#flat);
    return sample?.value === undefined ? 0 : Number(sample.value);
  }

  #histogram(name: string): void {
    if (this.family(name).type !== 'HISTOGRAM') throw new Error(`${name} is not a histogram`);
  }

  #sample(name: string, labels: Record<string, string>, families = this.families) {
    const family = families.find((f) => f.name === name);
    return family?.metrics.find((m) => Object.entries(labels).every(([key, value]) => m.labels?.[key] === value));
  }
}
