/*
 * The export formats (API.md, "Export formats"): which task types each one fits, the files it
 * writes, and whether it reads the individual answers besides the aggregated result.
 */

export interface FormatInfo {
  /** Task types the format can express; 'any' for every type. */
  types: readonly string[] | 'any';
  /** The files it writes, in order; the first is the main data file (its digest is the export's sha256). */
  files: readonly string[];
  /** Reads individual answers: always (true) or only for these task types. */
  answers: boolean | readonly string[];
  description: string;
}

const JSONL = ['export.jsonl'] as const;

export const EXPORT_FORMATS = {
  jsonl: { types: 'any', files: JSONL, answers: false, description: 'one task per line as GET /v1/task/{id} returns it' },
  trl_preference: { types: ['comparison', 'ranking'], files: JSONL, answers: false, description: 'TRL preference pairs {prompt, chosen, rejected}; rankings expand to pairs' },
  trl_unpaired: { types: ['binaryfeedback'], files: JSONL, answers: false, description: 'TRL unpaired preference (KTO) {prompt, completion, label}' },
  trl_sft: { types: ['sft'], files: JSONL, answers: true, description: 'TRL conversational SFT {messages}' },
  openai_sft: { types: ['sft'], files: JSONL, answers: true, description: 'OpenAI fine-tuning chat format {messages}' },
  openai_dpo: { types: ['comparison'], files: JSONL, answers: false, description: 'OpenAI DPO {input, preferred_output, non_preferred_output}' },
  hh_rlhf: { types: ['comparison'], files: JSONL, answers: false, description: 'Anthropic HH-RLHF {chosen, rejected} transcripts' },
  arena_battles: { types: ['comparison'], files: JSONL, answers: true, description: 'Chatbot Arena battles, one per vote' },
  hf_dataset: { types: 'any', files: ['data/train-00000-of-00001.parquet', 'README.md'], answers: ['sft', 'textcollection'], description: 'Hugging Face dataset: Parquet + README.md with YAML configs' },
  label_studio: { types: ['categorization', 'namedentityrecognition', 'imageannotation'], files: ['export.json'], answers: true, description: 'Label Studio JSON tasks with annotations' },
  coco: { types: ['imageannotation'], files: ['export.json'], answers: true, description: 'COCO object detection JSON' },
  yolo: { types: ['imageannotation'], files: ['export.zip'], answers: true, description: 'YOLO labels zip with data.yaml' },
  pascal_voc: { types: ['imageannotation'], files: ['export.zip'], answers: true, description: 'Pascal VOC XML zip' },
  conll: { types: ['namedentityrecognition'], files: ['export.conll'], answers: false, description: 'CoNLL token<TAB>IOB2 tag' },
  spacy_jsonl: { types: ['namedentityrecognition'], files: JSONL, answers: false, description: 'spaCy {text, entities: [[start, end, label]]}' },
  csv: { types: ['categorization', 'rating'], files: ['export.csv'], answers: false, description: 'one row per task: id, unique_id, answer, confidence, n_answers, metadata.*' },
} as const satisfies Record<string, FormatInfo>;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

export const EXPORT_FORMAT_IDS = Object.keys(EXPORT_FORMATS) as ExportFormat[];

/** True for a format id this build knows. */
export function isExportFormat(value: string): value is ExportFormat {
  return Object.hasOwn(EXPORT_FORMATS, value);
}

/** Whether a format can express tasks of a type. */
export function formatFits(format: ExportFormat, type: string): boolean {
  const types: FormatInfo['types'] = EXPORT_FORMATS[format].types;
  return types === 'any' || types.includes(type);
}

/** The formats that fit a task type, in table order. */
export function formatsFor(type: string): ExportFormat[] {
  return EXPORT_FORMAT_IDS.filter((f) => formatFits(f, type));
}

/** Whether exporting this type in this format reads the individual answers. */
export function needsAnswers(format: ExportFormat, type: string): boolean {
  const answers: FormatInfo['answers'] = EXPORT_FORMATS[format].answers;
  return typeof answers === 'boolean' ? answers : answers.includes(type);
}

/** The files a format writes (the first is the main data file). */
export function filesOf(format: ExportFormat): readonly string[] {
  return EXPORT_FORMATS[format].files;
}
