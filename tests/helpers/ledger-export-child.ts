// Run in a child process by tests/integration/ledger-stream.test.ts: one team's 台账 exported through the
// stream to nowhere, printing the rows, the bytes and this process's peak memory (a fresh process per
// export, so one export's heap does not colour the other's).
import { openDb } from '../../db/client.ts';
import { ledgerStream } from '../../src/domain/hours/ledger.ts';

const [url, team] = process.argv.slice(2);
const db = await openDb({ url });
let rows = 0;
let bytes = 0;
let peakHeap = 0;
let peakRss = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
  peakRss = Math.max(peakRss, m.rss);
};
const stream = await ledgerStream(db, { teamId: Number(team) }, {}, { onEnd: (n) => (rows = n) });
for await (const chunk of stream) {
  bytes += chunk.length;
  sample();
}
sample();
db.$client.close();
console.log(JSON.stringify({ rows, bytes, peakHeapMb: peakHeap / 2 ** 20, peakRssMb: peakRss / 2 ** 20 }));
