/**
 * How a run's reports are printed: counts per status class, problems with the request and
 * the command that replays it.
 *
 * @module
 */
import type { CampaignReport, ClassCounts } from './campaign.ts';
import type { SessionReport } from './sessions.ts';

/** One line per status class, e.g. `2xx 3120  4xx 16780  5xx 0  none 0`. */
export function formatCounts(counts: ClassCounts): string {
  return (['1xx', '2xx', '3xx', '4xx', '5xx', 'none'] as const)
    .filter((cls) => counts[cls] > 0 || cls === '5xx' || cls === 'none')
    .map((cls) => `${cls} ${counts[cls]}`)
    .join('  ');
}

/** The report of one campaign, as printed. */
export function formatReport(report: CampaignReport): string {
  const lines = [
    `lesson ${report.lesson}: ${report.sent} requests in ${(report.elapsedMs / 1000).toFixed(1)} s: ${formatCounts(report.byClass)}` +
      ` (+${report.statusProbes} status probes; ${report.valid.ok}/${report.valid.sent} valid requests ok; ${report.costly} may have hashed a password)`,
    `  final checks: ${report.verified.users} users, ${report.verified.keptSessions} kept sessions, ` +
      `${report.verified.loggedOutSessions} logged-out sessions; integrity_check ${report.verified.integrity}; ` +
      `${report.verified.unknownUsers} unexplained users`,
  ];
  for (const p of report.problems) {
    lines.push(`  PROBLEM [${p.family}${p.index >= 0 ? ` #${p.index}` : ''}] ${p.message}`);
    if (p.request) lines.push(`    request: ${p.request}`);
    if (p.index >= 0) lines.push(`    replay:  npm run fuzz -- --seed ${report.seed} --lessons ${report.lesson} --only ${p.index} --no-sessions`);
  }
  if (report.problemCount > report.problems.length) lines.push(`  ... and ${report.problemCount - report.problems.length} more problems`);
  return lines.join('\n');
}

/** The report of a crash or concurrency scenario, as printed. */
export function formatSessionReport(report: SessionReport): string {
  const lines = [`lesson ${report.lesson} ${report.scenario}: ${report.summary} (${(report.elapsedMs / 1000).toFixed(1)} s)`];
  for (const p of report.problems) lines.push(`  PROBLEM ${p}`);
  return lines.join('\n');
}

