// A histogram whose buckets are counted elsewhere (in SQL, or from BullMQ's finished jobs) at
// scrape time. prom-client's Histogram only takes single observations, so this object gives the
// registry the same shape its own histograms print (`_bucket{le}`, `_sum`, `_count`).
import type { Metric, Registry } from 'prom-client';

export interface HistogramSeries {
  labels: Record<string, string>;
  /** Cumulative counts, one per bound (value ≤ bound). */
  buckets: number[];
  count: number;
  sum: number;
}

export function registerWindowHistogram(
  registry: Registry,
  options: { name: string; help: string; bounds: readonly number[]; read: () => Promise<HistogramSeries[]> },
): void {
  const { name, help, bounds, read } = options;
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    reset() {},
    async get() {
      const values = (await read()).flatMap((s) => [
        ...bounds.map((le, i) => ({
          metricName: `${name}_bucket`,
          labels: { ...s.labels, le },
          value: s.buckets[i] ?? 0,
        })),
        { metricName: `${name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count },
        { metricName: `${name}_sum`, labels: s.labels, value: s.sum },
        { metricName: `${name}_count`, labels: s.labels, value: s.count },
      ]);
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  // The registry only calls get(), reset() and reads name/type; see the comment at the top.
  registry.registerMetric(metric as unknown as Metric);
}

/** Cumulative bucket counts of plain values (for sources that hand back each value). */
export function bucketsOf(
  values: readonly number[],
  bounds: readonly number[],
): Omit<HistogramSeries, 'labels'> {
  return {
    buckets: bounds.map((le) => values.filter((v) => v <= le).length),
    count: values.length,
    sum: values.reduce((a, v) => a + v, 0),
  };
}
