/**
 * Ack latency: `/eafix help` and `/eafix status` at 1, 10 and 50 concurrent clients against the bot,
 * a bare Bolt app and a node:http floor. Rounds interleave the subjects (order rotated each round).
 */
import { closedLoop } from '../lib/load.ts';
import { cpuMs, type Subject } from '../lib/processes.ts';
import { slashCommand, type Workspace } from '../lib/slack-requests.ts';
import { percentile, summarise, type Summary } from '../lib/stats.ts';

export interface AckCell {
  command: string;
  concurrency: number;
  subject: string;
  p50: Summary;
  p99: Summary;
  throughput: Summary;
  /** CPU time of the subject process per answered request, ms. */
  cpuPerRequestMs: Summary;
  unanswered: number;
  requests: number;
}

const USERS = ['alice', 'bob', 'carol', 'dave'];

export async function ackScenario(
  ws: Workspace,
  subjects: Subject[],
  options: { rounds: number; roundMs: number; concurrencies: number[]; commands: string[] },
): Promise<AckCell[]> {
  let n = 0;
  const make = (text: string) => () => slashCommand(ws, text, USERS[n++ % USERS.length] as string);
  // Warm every subject: JIT, connection pools, the bot's user-group cache.
  for (const command of options.commands) {
    for (const s of subjects) await closedLoop(s.url, '/slack/events', 10, 1_500, make(command));
  }
  const cells: AckCell[] = [];
  for (const command of options.commands) {
    for (const concurrency of options.concurrencies) {
      const raw = new Map<
        string,
        { p50: number[]; p99: number[]; tput: number[]; cpu: number[]; unanswered: number; requests: number }
      >();
      for (let round = 0; round < options.rounds; round++) {
        const order = subjects.map((_, i) => subjects[(i + round) % subjects.length] as Subject);
        for (const s of order) {
          const pid = s.child.pid as number;
          const cpuBefore = cpuMs(pid);
          const result = await closedLoop(s.url, '/slack/events', concurrency, options.roundMs, make(command));
          const cpu = cpuMs(pid) - cpuBefore;
          const r = raw.get(s.name) ?? { p50: [], p99: [], tput: [], cpu: [], unanswered: 0, requests: 0 };
          r.p50.push(percentile(result.latencies, 50));
          r.p99.push(percentile(result.latencies, 99));
          r.tput.push(result.throughput);
          r.cpu.push(result.answered ? cpu / result.answered : NaN);
          r.unanswered += result.unanswered;
          r.requests += result.answered + result.unanswered;
          raw.set(s.name, r);
        }
      }
      for (const [subject, r] of raw) {
        cells.push({
          command,
          concurrency,
          subject,
          p50: summarise(r.p50),
          p99: summarise(r.p99),
          throughput: summarise(r.tput),
          cpuPerRequestMs: summarise(r.cpu),
          unanswered: r.unanswered,
          requests: r.requests,
        });
      }
    }
  }
  return cells;
}
