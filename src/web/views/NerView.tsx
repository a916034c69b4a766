import { type CSSProperties, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../format.ts';
import { codePoints, graphemeBoundaries, isRtlText, overlapsAny, type Span, segmentText, snapDown, snapUp, spansAt, stepBoundary, trimRange, utf16ToCodePoint, wordBoundaries } from '../text.ts';
import { digitOf, Key, KeyLine, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

/** Label colours, by the label's position (colour-blind-safe hues, light enough to read text on). */
const COLORS = ['#f6c85f', '#8fd3f4', '#b4e197', '#f4a6c6', '#c9b6f2', '#ffb482', '#9ad0c2', '#e0c097', '#d1d5db'];
const colorOf = (labels: string[], label: string) => COLORS[Math.max(0, labels.indexOf(label)) % COLORS.length];

/**
 * Mark spans of a text and give each a label. Select with the mouse, or with the keyboard in the
 * text (arrows move, Shift+arrows select, Alt+arrows go word by word), then press the label's
 * number. Offsets are code points, end exclusive, and never split a character: emoji sequences,
 * letters with combining accents and flags stay whole, and Arabic reads right to left.
 */
export function NerView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t, i18n } = useTranslation();
  const p = task.params;
  const text = String(p.text ?? '');
  const labels = (p.labels as string[] | undefined) ?? [];
  const descriptions = (p.label_descriptions as Record<string, string> | undefined) ?? {};
  const allowOverlap = p.allow_overlap === true;
  const cps = useMemo(() => codePoints(text), [text]);
  const graphemes = useMemo(() => graphemeBoundaries(text), [text]);
  const words = useMemo(() => wordBoundaries(text), [text]);
  const rtl = useMemo(() => isRtlText(text), [text]);
  const [spans, setSpans] = useState<Span[]>(() => ((initial?.spans as Span[] | undefined) ?? []).map((s) => ({ start: s.start, end: s.end, label: s.label })));
  const [anchor, setAnchor] = useState(0);
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  // The drawn caret only follows keyboard moves: the text's DOM must not change under a mouse drag.
  const [keyboardCaret, setKeyboardCaret] = useState(false);
  const [message, setMessage] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const sel = { start: Math.min(anchor, caret), end: Math.max(anchor, caret) };
  const slice = (start: number, end: number) => cps.slice(start, end).join('');

  const select = (a: number, c: number, announce = true) => {
    setAnchor(a);
    setCaret(c);
    if (announce && a !== c) setMessage(t('views.ner.selected', { text: slice(Math.min(a, c), Math.max(a, c)) }));
  };

  /** The code-point offset of a DOM position inside the text box (the box holds exactly the text). */
  const offsetOf = (node: Node, offset: number): number => {
    const root = box.current;
    if (!root) return 0;
    const before = document.createRange();
    before.setStart(root, 0);
    before.setEnd(node, offset);
    return utf16ToCodePoint(text, before.toString().length);
  };

  /** Takes the browser's selection (mouse, touch, double-click) as the span to label. */
  const readSelection = () => {
    const root = box.current;
    const s = window.getSelection();
    if (!root || !s || s.rangeCount === 0) return;
    const r = s.getRangeAt(0);
    if (!root.contains(r.startContainer) || !root.contains(r.endContainer)) return;
    const rawStart = offsetOf(r.startContainer, r.startOffset);
    const rawEnd = offsetOf(r.endContainer, r.endOffset);
    if (rawEnd <= rawStart) {
      const at = snapDown(graphemes, rawStart);
      select(at, at, false);
      return;
    }
    const [start, end] = trimRange(cps, snapDown(graphemes, rawStart), snapUp(graphemes, rawEnd));
    s.removeAllRanges();
    root.focus({ preventScroll: true });
    select(start, end);
  };

  const add = (label: string) => {
    if (disabled) return;
    if (sel.end <= sel.start) {
      setMessage(t('views.ner.selectFirst'));
      return;
    }
    if (spans.some((s) => s.start === sel.start && s.end === sel.end && s.label === label)) return;
    if (!allowOverlap && overlapsAny(spans, sel.start, sel.end)) {
      setMessage(t('views.ner.noOverlap'));
      return;
    }
    setSpans((list) => [...list, { start: sel.start, end: sel.end, label }]);
    setMessage(t('views.ner.added', { label, text: slice(sel.start, sel.end) }));
    select(sel.end, sel.end, false);
  };

  const remove = (index: number) => {
    if (disabled) return;
    const s = spans[index];
    setSpans((list) => list.filter((_, i) => i !== index));
    if (s) setMessage(t('views.ner.removed', { label: s.label, text: slice(s.start, s.end) }));
  };

  useViewKeys(keys, (event) => {
    const digit = digitOf(event);
    if (digit !== undefined && digit >= 1 && digit <= Math.min(9, labels.length)) {
      add(labels[digit - 1]);
      return true;
    }
    if (event.target !== box.current) return false;
    const horizontal = event.key === 'ArrowRight' || event.key === 'ArrowLeft';
    if (horizontal || event.key === 'Home' || event.key === 'End') setKeyboardCaret(true);
    if (horizontal) {
      // In right-to-left text the next character is to the left.
      const dir: 1 | -1 = (event.key === 'ArrowRight') !== rtl ? 1 : -1;
      const next = stepBoundary(event.altKey ? words : graphemes, caret, dir);
      if (event.shiftKey) select(anchor, next);
      else select(next, next, false);
      return true;
    }
    if (event.key === 'Home' || event.key === 'End') {
      const next = event.key === 'Home' ? 0 : cps.length;
      if (event.shiftKey) select(anchor, next);
      else select(next, next, false);
      return true;
    }
    if (event.key === 'Escape') {
      select(caret, caret, false);
      return true;
    }
    if (event.key === 'Delete' || event.key === 'Backspace') {
      const exact = spans.findLastIndex((s) => s.start === sel.start && s.end === sel.end);
      const at = spansAt(spans, event.key === 'Backspace' && sel.start === sel.end ? Math.max(0, caret - 1) : sel.start);
      const index = exact >= 0 ? exact : at[0];
      if (index !== undefined && index >= 0) remove(index);
      return true;
    }
    return false;
  });

  const ordered = [...spans].map((s, i) => ({ ...s, i })).sort((a, b) => a.start - b.start || b.end - a.end);
  useReport(onChange, { spans: ordered.map((s) => ({ start: s.start, end: s.end, label: s.label, text: slice(s.start, s.end) })) });

  const showCaret = sel.start === sel.end && focused && keyboardCaret;
  const segments = segmentText(cps.length, spans, sel, showCaret ? [caret] : []);
  const caretMark = <span className="ner-caret" aria-hidden="true" />;

  return (
    <div className="view view-ner">
      <p id={`ner-help-${task.id}`} className="muted">
        {t('views.ner.help')}
      </p>
      <div className="label-palette" role="toolbar" aria-label={t('views.ner.labels')}>
        {labels.map((l, i) => (
          <button
            key={l}
            type="button"
            className="button button-small label-button"
            style={{ '--label': colorOf(labels, l) } as CSSProperties}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => add(l)}
            disabled={disabled}
            title={descriptions[l]}
            aria-keyshortcuts={i < 9 ? String(i + 1) : undefined}
            data-label={l}
          >
            {i < 9 && <Key>{i + 1}</Key>} <span dir="auto">{l}</span>
          </button>
        ))}
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the text takes focus so the keyboard can select in it */}
      <div
        ref={box}
        className={`ner-text attachment-text ${focused ? 'is-focused' : ''}`}
        tabIndex={0}
        dir="auto"
        aria-label={t('views.ner.textLabel')}
        aria-describedby={`ner-help-${task.id}`}
        data-testid="ner-text"
        data-selection={`${sel.start}-${sel.end}`}
        onMouseDown={() => setKeyboardCaret(false)}
        onMouseUp={readSelection}
        onKeyUp={(e) => {
          // A selection made with the browser's own keys (caret browsing) is read the same way.
          if (e.shiftKey && window.getSelection()?.isCollapsed === false) readSelection();
        }}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
      >
        {segments.map((seg) => {
          const covering = seg.spans.map((i) => spans[i]);
          const inner = covering[covering.length - 1];
          const outer = covering.slice(0, -1);
          const ending = covering.filter((s) => s.end === seg.end).map((s) => s.label);
          const style: CSSProperties = {};
          if (inner) style.backgroundColor = colorOf(labels, inner.label);
          if (outer.length) style.boxShadow = outer.map((s, k) => `inset 0 -${3 * (k + 1)}px 0 ${colorOf(labels, s.label)}`).join(', ');
          return (
            <span key={seg.start}>
              {showCaret && caret === seg.start && caretMark}
              <span className={`ner-seg ${seg.selected ? 'is-selected' : ''} ${inner ? 'is-span' : ''}`} style={style} data-start={seg.start} data-tag={ending.length ? ending.join(' · ') : undefined}>
                {slice(seg.start, seg.end)}
              </span>
            </span>
          );
        })}
        {showCaret && caret === cps.length && caretMark}
      </div>
      <p className="visually-hidden" aria-live="polite" data-testid="ner-status">
        {message}
      </p>
      <section aria-labelledby={`spans-${task.id}`}>
        <h3 id={`spans-${task.id}`}>{t('views.ner.spans', { n: formatNumber(spans.length, i18n.language) })}</h3>
        {spans.length === 0 ? (
          <p className="muted">{t('views.ner.none')}</p>
        ) : (
          <ul className="span-list" data-testid="span-list">
            {ordered.map((s) => (
              <li key={`${s.start}-${s.end}-${s.label}`} data-span={`${s.start}-${s.end}-${s.label}`}>
                <span className="span-chip" style={{ backgroundColor: colorOf(labels, s.label) }} dir="auto">
                  {s.label}
                </span>
                <span dir="auto" className="span-text">
                  {slice(s.start, s.end)}
                </span>
                <span className="muted small" dir="ltr">
                  [{s.start}, {s.end})
                </span>
                <button type="button" className="button button-small button-quiet" onClick={() => remove(s.i)} disabled={disabled} aria-label={t('views.ner.removeNamed', { label: s.label, text: slice(s.start, s.end) })}>
                  {t('views.ner.remove')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <KeyLine
        items={[
          ['Shift+← →', t('views.ner.keySelect')],
          ['Alt+← →', t('views.ner.keyWord')],
          [`1…${Math.min(9, labels.length)}`, t('views.ner.keyLabel')],
          ['Del', t('views.ner.keyRemove')],
          ['Esc', t('views.ner.keyClear')],
        ]}
      />
    </div>
  );
}
