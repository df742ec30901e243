import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSeed, runCampaign } from './campaign.ts';
import { formatReport } from './report.ts';
import { targets } from './targets.ts';

// The bounded size for `npm test`; `npm run fuzz` sends 20,000 requests per lesson.
const requestsPerLesson = 400;

// Every lesson at once: each has its own server, database and port.
describe(`hostile requests, ${requestsPerLesson} per lesson, seed ${defaultSeed}`, { concurrency: true }, () => {
  for (const { lesson } of targets) {
    test(`lesson ${lesson}: no 5xx, JSON 4xx, no leak, still up; valid users and sessions kept; database sound`, { timeout: 300_000 }, async (t) => {
      const report = await runCampaign({ lesson, seed: defaultSeed, requests: requestsPerLesson, concurrency: 8 });
      const text = formatReport(report);
      t.diagnostic(text.split('\n')[0]!);
      assert.equal(report.problemCount, 0, text);
      assert.equal(report.sent, requestsPerLesson, text);
      assert.equal(report.verified.integrity, 'ok', text);
    });
  }
});
