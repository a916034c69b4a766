import { type DragEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { moveItem, orderFromGroups, rankingGroups, shuffled } from './logic.ts';
import { Chat, digitOf, KeyLine, letterOf, type Message, messagesOf, onChoiceInput, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

interface ModelResponse {
  id: string;
  messages: Message[];
}

/**
 * Put k responses in order, best first, by dragging or with the keyboard; with allow_ties a
 * response may share the place of the one above it. Responses start in a random order and are
 * named by letters (models stay hidden).
 */
export function RankingView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t } = useTranslation();
  const p = task.params;
  const responses = (p.responses as ModelResponse[] | undefined) ?? [];
  const allowTies = p.allow_ties === true;
  const ids = responses.map((r) => r.id);
  const [start] = useState(() => {
    const given = initial?.ranking as string[][] | undefined;
    if (given) {
      const back = orderFromGroups(given);
      if (back.order.length === ids.length && back.order.every((id) => ids.includes(id))) return back;
    }
    return { order: shuffled(ids), tied: new Set<string>() };
  });
  // Letters follow the first order shown, so a response keeps its name while it moves.
  const letters = new Map(start.order.map((id, i) => [id, String.fromCharCode(65 + i)]));
  const [order, setOrder] = useState<string[]>(start.order);
  const [tied, setTied] = useState<Set<string>>(start.tied);
  const [selected, setSelected] = useState(0);
  const [dragging, setDragging] = useState<string>();
  const [dropAt, setDropAt] = useState<number>();
  const [announcement, setAnnouncement] = useState('');
  const items = useRef<(HTMLLIElement | null)[]>([]);
  const byId = new Map(responses.map((r) => [r.id, r]));

  const groups = rankingGroups(order, allowTies ? tied : new Set());
  const placeOf = (id: string) => groups.findIndex((g) => g.includes(id)) + 1;

  const focusItem = (index: number) => requestAnimationFrame(() => items.current[index]?.focus());

  const move = (from: number, to: number) => {
    if (disabled || to < 0 || to >= order.length || from === to) return;
    const id = order[from];
    const next = moveItem(order, from, to);
    setOrder(next);
    setSelected(to);
    focusItem(to);
    setAnnouncement(t('views.ranking.moved', { name: letters.get(id), place: to + 1 }));
  };

  const toggleTie = (index: number) => {
    if (disabled || !allowTies || index === 0) return;
    const id = order[index];
    setTied((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  };

  useViewKeys(keys, (event) => {
    if (onChoiceInput(event)) return false;
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      const dir = event.key === 'ArrowDown' ? 1 : -1;
      if (event.shiftKey || event.altKey) move(selected, selected + dir);
      else {
        const next = Math.max(0, Math.min(order.length - 1, selected + dir));
        setSelected(next);
        focusItem(next);
      }
      return true;
    }
    const digit = digitOf(event);
    if (digit !== undefined && digit >= 1 && digit <= Math.min(9, order.length)) {
      setSelected(digit - 1);
      focusItem(digit - 1);
      return true;
    }
    if (letterOf(event) === 't' && allowTies) {
      toggleTie(selected);
      return true;
    }
    return false;
  });

  useReport(onChange, ids.length > 0 ? { ranking: groups } : undefined);

  const onDragOver = (event: DragEvent<HTMLLIElement>, index: number) => {
    if (!dragging) return;
    event.preventDefault();
    const box = event.currentTarget.getBoundingClientRect();
    setDropAt(event.clientY < box.top + box.height / 2 ? index : index + 1);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    if (dragging !== undefined && dropAt !== undefined) {
      const from = order.indexOf(dragging);
      move(from, dropAt > from ? dropAt - 1 : dropAt);
    }
    setDragging(undefined);
    setDropAt(undefined);
  };

  return (
    <div className="view view-ranking">
      <Chat messages={messagesOf(p.prompt)} label={t('views.prompt')} />
      <p id={`ranking-help-${task.id}`} className="muted">
        {allowTies ? t('views.ranking.leadTies') : t('views.ranking.lead')}
      </p>
      <ol className="ranking" aria-describedby={`ranking-help-${task.id}`} data-testid="ranking" onDrop={onDrop} onDragOver={(e) => dragging && e.preventDefault()}>
        {order.map((id, i) => {
          const letter = letters.get(id);
          return (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the item takes focus so the keys act on it
            <li
              key={id}
              ref={(el) => {
                items.current[i] = el;
              }}
              className={`rank-item ${i === selected ? 'is-active' : ''} ${dragging === id ? 'is-dragging' : ''} ${dropAt === i ? 'drop-before' : ''} ${dropAt === i + 1 && i === order.length - 1 ? 'drop-after' : ''}`}
              draggable={!disabled}
              tabIndex={i === selected ? 0 : -1}
              aria-label={t('views.ranking.itemLabel', { name: letter, place: placeOf(id) })}
              data-response-id={id}
              data-place={placeOf(id)}
              onFocus={() => setSelected(i)}
              onDragStart={(e) => {
                e.dataTransfer.setData('text/plain', id);
                e.dataTransfer.effectAllowed = 'move';
                setDragging(id);
              }}
              onDragEnd={() => {
                setDragging(undefined);
                setDropAt(undefined);
              }}
              onDragOver={(e) => onDragOver(e, i)}
            >
              <div className="rank-head">
                <span className="rank-place" aria-hidden="true">
                  {placeOf(id)}
                </span>
                <span className="rank-grip" aria-hidden="true">
                  ⠿
                </span>
                <strong>{t('views.ranking.name', { name: letter })}</strong>
                <span className="rank-actions">
                  {allowTies && i > 0 && (
                    <label className="check small">
                      <input type="checkbox" checked={tied.has(id)} onChange={() => toggleTie(i)} disabled={disabled} data-testid="tie" />
                      {t('views.ranking.tieAbove')}
                    </label>
                  )}
                  <button type="button" className="button button-small" onClick={() => move(i, i - 1)} disabled={disabled || i === 0} aria-label={t('views.ranking.moveUpNamed', { name: letter })} tabIndex={-1}>
                    ↑
                  </button>
                  <button type="button" className="button button-small" onClick={() => move(i, i + 1)} disabled={disabled || i === order.length - 1} aria-label={t('views.ranking.moveDownNamed', { name: letter })} tabIndex={-1}>
                    ↓
                  </button>
                </span>
              </div>
              <Chat messages={byId.get(id)?.messages ?? []} />
            </li>
          );
        })}
      </ol>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <KeyLine
        items={[
          ['↑ ↓', t('views.ranking.keySelect')],
          ['Shift+↑ ↓', t('views.ranking.keyMove')],
          ...(allowTies ? ([['T', t('views.ranking.keyTie')]] as [string, string][]) : []),
        ]}
      />
    </div>
  );
}
