import { type Encoder, jsonLinesEncoder } from './encoder.ts';
import type { ChatMessage, PresentedTask, ProblemSink } from './export-task.ts';
import type { FileOut } from './output.ts';
import { strictPreferences } from './preference.ts';
import { sftRecords } from './trl.ts';

/**
 * `openai_sft`: the chat fine-tuning format, `{messages}` per completion: the same records as
 * `trl_sft` (https://platform.openai.com/docs/guides/supervised-fine-tuning).
 */
export const openaiSftRecords = sftRecords;

/** An OpenAI DPO record (https://platform.openai.com/docs/guides/direct-preference-optimization). */
export interface OpenaiDpoRecord {
  input: { messages: ChatMessage[] };
  preferred_output: ChatMessage[];
  non_preferred_output: ChatMessage[];
}

/**
 * `openai_dpo`: `{input: {messages}, preferred_output, non_preferred_output}` from a comparison's
 * aggregated winner, by response id. Ties and both-bad carry no preference and are left out.
 */
export function openaiDpoRecords(task: PresentedTask, problem?: ProblemSink): OpenaiDpoRecord[] {
  return strictPreferences(task, problem).map((p) => ({
    input: { messages: p.prompt },
    preferred_output: p.chosen.messages,
    non_preferred_output: p.rejected.messages,
  }));
}

export function openaiDpoEncoder(file: FileOut, problem: ProblemSink): Encoder {
  return jsonLinesEncoder(file, (item) => openaiDpoRecords(item.task, problem));
}
