import { type Encoder, jsonLinesEncoder } from './encoder.ts';
import type { ChatMessage, PresentedTask, ProblemSink } from './export-task.ts';
import type { FileOut } from './output.ts';
import { strictPreferences } from './preference.ts';

/**
 * A conversation as an Anthropic HH-RLHF transcript: `\n\nHuman: ...\n\nAssistant: ...`. The format
 * knows only these two speakers, so system messages are folded into the start of the next Human
 * turn (separated by a blank line) rather than dropped.
 */
export function hhTranscript(messages: readonly ChatMessage[]): string {
  let out = '';
  let system: string[] = [];
  for (const m of messages) {
    if (m.role === 'system') {
      system.push(m.content);
      continue;
    }
    if (m.role === 'assistant') {
      if (system.length) out += `\n\nHuman: ${system.join('\n\n')}`;
      out += `\n\nAssistant: ${m.content}`;
    } else {
      out += `\n\nHuman: ${[...system, m.content].join('\n\n')}`;
    }
    system = [];
  }
  if (system.length) out += `\n\nHuman: ${system.join('\n\n')}`;
  return out;
}

/** `hh_rlhf`: `{chosen, rejected}` full transcripts (prompt + response) from a comparison's winner. Ties are left out. */
export function hhRlhfRecords(task: PresentedTask, problem?: ProblemSink): { chosen: string; rejected: string }[] {
  return strictPreferences(task, problem).map((p) => ({
    chosen: hhTranscript([...p.prompt, ...p.chosen.messages]),
    rejected: hhTranscript([...p.prompt, ...p.rejected.messages]),
  }));
}

export function hhRlhfEncoder(file: FileOut, problem: ProblemSink): Encoder {
  return jsonLinesEncoder(file, (item) => hhRlhfRecords(item.task, problem));
}
