import { describe, expect, it } from 'vitest';
import { formatFits, formatsFor, isExportFormat } from './formats.ts';

describe('export formats registry', () => {
  it('fits each format to the task types of the published table', () => {
    expect(formatsFor('comparison')).toEqual(['jsonl', 'trl_preference', 'openai_dpo', 'hh_rlhf', 'arena_battles', 'hf_dataset']);
    expect(formatsFor('ranking')).toEqual(['jsonl', 'trl_preference', 'hf_dataset']);
    expect(formatsFor('binaryfeedback')).toEqual(['jsonl', 'trl_unpaired', 'hf_dataset']);
    expect(formatsFor('sft')).toEqual(['jsonl', 'trl_sft', 'openai_sft', 'hf_dataset']);
    expect(formatsFor('imageannotation')).toEqual(['jsonl', 'hf_dataset', 'label_studio', 'coco', 'yolo', 'pascal_voc']);
    expect(formatsFor('namedentityrecognition')).toEqual(['jsonl', 'hf_dataset', 'label_studio', 'conll', 'spacy_jsonl']);
    expect(formatsFor('categorization')).toEqual(['jsonl', 'hf_dataset', 'label_studio', 'csv']);
    expect(formatsFor('rating')).toEqual(['jsonl', 'hf_dataset', 'csv']);
    expect(formatsFor('rubric')).toEqual(['jsonl', 'hf_dataset']);
  });

  it('knows its ids and refuses others', () => {
    expect(isExportFormat('coco')).toBe(true);
    expect(isExportFormat('toString')).toBe(false);
    expect(isExportFormat('parquet')).toBe(false);
    expect(formatFits('coco', 'categorization')).toBe(false);
  });
});
