/**
 * The "Write it yourself" section of a lesson's notes: the steps the learner writes in
 * exercise mode, from the manifest. The soundness test compares each lesson's notes with it,
 * so the list never drifts from the steps; paste what it prints when a step changes.
 *
 * @module
 */
import type { Lesson } from '../lessons/curriculum.ts';

/** The section's heading. */
export const heading = '## Write it yourself';

/**
 * The markdown of lesson `entry`'s section, from its heading to the next heading (its blank line included).
 *
 * @example
 * writeItYourself(lesson(2)); // '## Write it yourself\n\nWith `npm run learn` ...'
 */
export function writeItYourself(entry: Lesson): string {
  const task = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
  const steps = (entry.steps ?? []).map((step, i) => `${i + 1}. \`${step.id}\` **\`${step.name}\`** in \`${step.file}\`: ${task(step.task)}.`);
  return [
    heading,
    '',
    `With \`npm run learn\` you write this lesson's code yourself, in \`workspace/${entry.folder}/\`, one`,
    'step at a time, and each step is graded every time you save (see',
    '[the exercise mode](../../docs/exercise-mode.md)). The steps, in the course\'s order:',
    '',
    ...steps,
    '',
    `When they all pass, the claims below run on your server: \`npm run check -- ${entry.number} --workspace\`.`,
    '',
    '',
  ].join('\n');
}

/** The section as it stands in `notes` (up to the next `## ` heading), or null. */
export function sectionIn(notes: string): string | null {
  const start = notes.indexOf(`\n${heading}\n`);
  if (start === -1) return null;
  const end = notes.indexOf('\n## ', start + heading.length + 1);
  return notes.slice(start + 1, end === -1 ? undefined : end + 1);
}
