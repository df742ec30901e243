import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSeed, runCampaign } from './campaign.ts';

// The suite must fail where it should: each of these variants of a lesson, from the check
// runner's fixtures, has one defect that the oracle has to find within a few hundred requests.
const brokenServers = [
  { entry: 'checks/fixtures/l0-array-body-500.ts', lesson: 0, finds: /^5xx: 500/ },
  { entry: 'checks/fixtures/l0-html-405.ts', lesson: 0, finds: /^405 with Content-Type text\/html/ },
  { entry: 'checks/fixtures/l0-html-bad-json.ts', lesson: 0, finds: /^400 with Content-Type text\/html/ },
  { entry: 'checks/fixtures/l1-bad-base64-500.ts', lesson: 1, finds: /^5xx: 500/ },
];

describe('the fuzzer finds the defect of a server broken on purpose', { concurrency: true }, () => {
  for (const { entry, lesson, finds } of brokenServers) {
    test(entry, { timeout: 300_000 }, async () => {
      const report = await runCampaign({ lesson, entry, seed: defaultSeed, requests: 300, concurrency: 8 });
      const messages = report.problems.map((p) => p.message);
      assert.ok(messages.some((message) => finds.test(message)), `no problem matching ${finds} among:\n${messages.join('\n')}`);
    });
  }
});
