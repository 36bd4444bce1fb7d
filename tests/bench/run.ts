/** `npm run bench`: runs every known benchmark and prints each as a markdown table. */
import { benchMaterialise } from './materialise.ts';
import { benchReceivers } from './receivers-mqtt.ts';
import { benchReports } from './reports.ts';
import { benchRtpFanout } from './rtp-fanout.ts';
import { benchStartSkew } from './start-skew.ts';
import { benchEncoderCost, benchTranscode } from './transcode.ts';

type Bench = () => Promise<{ title: string; rows: Record<string, string | number>[] }>;

const benches: Record<string, Bench> = {
  transcode: benchTranscode,
  'encoder-cost': benchEncoderCost,
  materialise: benchMaterialise,
  'rtp-fanout': benchRtpFanout,
  'start-skew': benchStartSkew,
  reports: benchReports,
  receivers: benchReceivers,
};

function markdownTable(rows: Record<string, string | number>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [
    line(columns),
    line(columns.map(() => '---')),
    ...rows.map((row) => line(columns.map((c) => row[c] ?? ''))),
  ].join('\n');
}

const only = process.argv.slice(2);
for (const [name, bench] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const { title, rows } = await bench();
  console.log(`\n### ${title}\n\n${markdownTable(rows)}\n`);
}
