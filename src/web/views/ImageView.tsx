/*
 * Boxes and polygons on an image, in a chunk of its own: a worker on text tasks never downloads it.
 * The drawing is an SVG whose viewBox is the image's own pixel grid, so every coordinate read from
 * the pointer (through the SVG's screen matrix) is in image pixels whatever the zoom or the size
 * the image is shown at.
 */
import { type PointerEvent as ReactPointerEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../format.ts';
import { clamp, uuid } from './logic.ts';
import { digitOf, Key, KeyLine, letterOf, useReport, useViewKeys } from './shared.tsx';
import type { ViewProps } from './types.ts';

type Tool = 'box' | 'polygon' | 'select';
interface Point {
  x: number;
  y: number;
}
interface Box {
  uuid: string;
  type: 'box';
  label: string;
  left: number;
  top: number;
  width: number;
  height: number;
}
interface Polygon {
  uuid: string;
  type: 'polygon';
  label: string;
  vertices: Point[];
}
type Shape = Box | Polygon;

type Drag =
  | { kind: 'draw'; from: Point; to: Point; onShape?: string }
  | { kind: 'move'; uuid: string; from: Point; original: Shape }
  | { kind: 'corner'; uuid: string; fixed: Point }
  | { kind: 'vertex'; uuid: string; index: number };

const COLORS = ['#e4572e', '#2e86ab', '#f3a712', '#29bf12', '#a846a0', '#ff6f91', '#17bebb', '#8c6e5d', '#4b4e6d'];
const ZOOMS = [1, 1.5, 2, 3, 4, 6, 8];
const round = (v: number) => Math.round(v);

function boxFrom(a: Point, b: Point): Pick<Box, 'left' | 'top' | 'width' | 'height'> {
  return { left: Math.min(a.x, b.x), top: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
}

function bounds(s: Shape): { left: number; top: number; right: number; bottom: number } {
  if (s.type === 'box') return { left: s.left, top: s.top, right: s.left + s.width, bottom: s.top + s.height };
  const xs = s.vertices.map((v) => v.x);
  const ys = s.vertices.map((v) => v.y);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}

/** The shape moved by (dx, dy), kept inside a w x h image. */
function moved(s: Shape, dx: number, dy: number, w: number, h: number): Shape {
  const b = bounds(s);
  const mx = clamp(dx, -b.left, w - b.right);
  const my = clamp(dy, -b.top, h - b.bottom);
  if (s.type === 'box') return { ...s, left: round(s.left + mx), top: round(s.top + my) };
  return { ...s, vertices: s.vertices.map((v) => ({ x: round(v.x + mx), y: round(v.y + my) })) };
}

export default function ImageView({ task, disabled, initial, onChange, keys }: ViewProps) {
  const { t, i18n } = useTranslation();
  const p = task.params;
  const src = String(p.attachment ?? '');
  const geometries = (p.geometries as { box?: { objects_to_annotate: string[]; min_width?: number; min_height?: number }; polygon?: { objects_to_annotate: string[] } }) ?? {};
  const tools: Tool[] = [...(geometries.box ? (['box'] as const) : []), ...(geometries.polygon ? (['polygon'] as const) : []), 'select'];
  const labelsFor = (kind: 'box' | 'polygon') => geometries[kind]?.objects_to_annotate ?? [];
  const allLabels = useMemo(() => [...new Set([...(geometries.box?.objects_to_annotate ?? []), ...(geometries.polygon?.objects_to_annotate ?? [])])], [geometries]);
  const colorOf = (label: string) => COLORS[Math.max(0, allLabels.indexOf(label)) % COLORS.length];

  const declared = typeof p.image_width === 'number' && typeof p.image_height === 'number' ? { w: p.image_width, h: p.image_height } : undefined;
  const [natural, setNatural] = useState<{ w: number; h: number } | undefined>(declared);
  const [failed, setFailed] = useState(false);
  const [shapes, setShapes] = useState<Shape[]>(() =>
    ((initial?.annotations as Shape[] | undefined) ?? []).map((s) => ({ ...s, uuid: s.uuid ?? uuid() }) as Shape),
  );
  const [selected, setSelected] = useState<string>();
  const [tool, setTool] = useState<Tool>(tools[0]);
  const [labelIndex, setLabelIndex] = useState({ box: 0, polygon: 0 });
  const [zoom, setZoom] = useState(0);
  const [drag, setDrag] = useState<Drag>();
  const [polygon, setPolygon] = useState<Point[]>([]);
  const [hover, setHover] = useState<Point>();
  const [message, setMessage] = useState('');
  const [fitWidth, setFitWidth] = useState(800);
  const stage = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);

  useEffect(() => {
    const el = stage.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setFitWidth(el.clientWidth));
    observer.observe(el);
    setFitWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  const W = natural?.w ?? 1;
  const H = natural?.h ?? 1;
  const fit = Math.min(1, fitWidth / W);
  const scale = fit * ZOOMS[zoom];
  const currentKind: 'box' | 'polygon' = tool === 'polygon' ? 'polygon' : geometries.box ? 'box' : 'polygon';
  const currentLabel = labelsFor(currentKind)[labelIndex[currentKind]] ?? labelsFor(currentKind)[0];
  const selectedShape = shapes.find((s) => s.uuid === selected);
  /** Sizes that stay constant on screen (handles, strokes, text), in image pixels. */
  const px = (n: number) => n / scale;

  const toImage = (event: { clientX: number; clientY: number }): Point => {
    const matrix = svg.current?.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    const pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: clamp(round(pt.x), 0, W), y: clamp(round(pt.y), 0, H) };
  };

  const update = (id: string, change: (s: Shape) => Shape) => setShapes((list) => list.map((s) => (s.uuid === id ? change(s) : s)));

  const addBox = (b: Pick<Box, 'left' | 'top' | 'width' | 'height'>) => {
    const min = geometries.box;
    if (b.width <= 0 || b.height <= 0) return;
    if ((min?.min_width && b.width < min.min_width) || (min?.min_height && b.height < min.min_height)) {
      setMessage(t('views.image.tooSmall', { w: min?.min_width ?? 0, h: min?.min_height ?? 0 }));
      return;
    }
    const shape: Box = { uuid: uuid(), type: 'box', label: labelsFor('box')[labelIndex.box] ?? labelsFor('box')[0], ...b };
    setShapes((list) => [...list, shape]);
    setSelected(shape.uuid);
    setMessage(t('views.image.added', { label: shape.label }));
  };

  const closePolygon = () => {
    if (polygon.length < 3) return;
    const shape: Polygon = { uuid: uuid(), type: 'polygon', label: labelsFor('polygon')[labelIndex.polygon] ?? labelsFor('polygon')[0], vertices: polygon };
    setShapes((list) => [...list, shape]);
    setSelected(shape.uuid);
    setPolygon([]);
    setMessage(t('views.image.added', { label: shape.label }));
  };

  const removeShape = (id: string | undefined) => {
    if (!id || disabled) return;
    setShapes((list) => list.filter((s) => s.uuid !== id));
    setSelected(undefined);
    setMessage(t('views.image.removed'));
  };

  const pickLabel = (index: number) => {
    const kind = selectedShape?.type ?? currentKind;
    const label = labelsFor(kind)[index];
    if (!label) return false;
    setLabelIndex((l) => ({ ...l, [kind]: index }));
    if (selectedShape && selectedShape.type === kind) update(selectedShape.uuid, (s) => ({ ...s, label }));
    return true;
  };

  const onPointerDown = (event: ReactPointerEvent<SVGSVGElement>) => {
    if (disabled || event.button !== 0 || !natural) return;
    const point = toImage(event);
    const target = event.target as Element;
    const handle = target.closest('[data-handle]');
    const body = target.closest('[data-shape]')?.getAttribute('data-shape') ?? undefined;
    event.currentTarget.setPointerCapture(event.pointerId);
    if (handle && selectedShape) {
      const kind = handle.getAttribute('data-handle');
      if (kind === 'vertex' && selectedShape.type === 'polygon') setDrag({ kind: 'vertex', uuid: selectedShape.uuid, index: Number(handle.getAttribute('data-index')) });
      else if (selectedShape.type === 'box') {
        const corner = handle.getAttribute('data-corner') ?? 'se';
        const fixed = { x: corner.includes('w') ? selectedShape.left + selectedShape.width : selectedShape.left, y: corner.includes('n') ? selectedShape.top + selectedShape.height : selectedShape.top };
        setDrag({ kind: 'corner', uuid: selectedShape.uuid, fixed });
      }
      return;
    }
    if (tool === 'select') {
      setSelected(body);
      const shape = shapes.find((s) => s.uuid === body);
      if (shape) setDrag({ kind: 'move', uuid: shape.uuid, from: point, original: shape });
      return;
    }
    if (tool === 'polygon') {
      const first = polygon[0];
      if (first && polygon.length >= 3 && Math.hypot(first.x - point.x, first.y - point.y) <= px(8)) closePolygon();
      else setPolygon((v) => [...v, point]);
      return;
    }
    setDrag({ kind: 'draw', from: point, to: point, onShape: body });
  };

  const onPointerMove = (event: ReactPointerEvent<SVGSVGElement>) => {
    if (!natural) return;
    const point = toImage(event);
    if (tool === 'polygon') setHover(point);
    if (!drag) return;
    if (drag.kind === 'draw') setDrag({ ...drag, to: point });
    else if (drag.kind === 'move') update(drag.uuid, () => moved(drag.original, point.x - drag.from.x, point.y - drag.from.y, W, H));
    else if (drag.kind === 'corner') update(drag.uuid, (s) => (s.type === 'box' ? { ...s, ...boxFrom(drag.fixed, point) } : s));
    else if (drag.kind === 'vertex') update(drag.uuid, (s) => (s.type === 'polygon' ? { ...s, vertices: s.vertices.map((v, i) => (i === drag.index ? point : v)) } : s));
  };

  const onPointerUp = (event: ReactPointerEvent<SVGSVGElement>) => {
    if (!drag) return;
    if (drag.kind === 'draw') {
      const b = boxFrom(drag.from, toImage(event));
      // A click without a drag on a shape selects it instead of drawing.
      if (b.width * scale < 3 && b.height * scale < 3) setSelected(drag.onShape);
      else addBox(b);
    } else if (drag.kind === 'corner') {
      // A corner dragged across the opposite one leaves no empty box behind.
      const s = shapes.find((x) => x.uuid === drag.uuid);
      if (s?.type === 'box' && (s.width === 0 || s.height === 0)) removeShape(s.uuid);
    }
    setDrag(undefined);
  };

  const nudge = (dx: number, dy: number, resize: boolean) => {
    if (!selectedShape) return;
    if (resize && selectedShape.type === 'box') {
      update(selectedShape.uuid, (s) => (s.type === 'box' ? { ...s, width: clamp(s.width + dx, 1, W - s.left), height: clamp(s.height + dy, 1, H - s.top) } : s));
    } else update(selectedShape.uuid, (s) => moved(s, dx, dy, W, H));
  };

  /** A new box in the middle of what is on screen: the keyboard way to draw. */
  const newBoxInView = () => {
    const el = stage.current;
    if (!el || !geometries.box) return;
    const cx = (el.scrollLeft + el.clientWidth / 2) / scale;
    const cy = (el.scrollTop + Math.min(el.clientHeight, H * scale) / 2) / scale;
    const size = Math.max(4, round(Math.min(W, H) / 5));
    setTool('box');
    addBox({ left: clamp(round(cx - size / 2), 0, W - size), top: clamp(round(cy - size / 2), 0, H - size), width: size, height: size });
  };

  useViewKeys(keys, (event) => {
    if (disabled) return false;
    const letter = letterOf(event);
    if (letter === 'b' && geometries.box) setTool('box');
    else if (letter === 'p' && geometries.polygon) setTool('polygon');
    else if (letter === 'v') setTool('select');
    else if (letter === 'n' && !event.shiftKey) newBoxInView();
    else if (event.key === '+' || event.key === '=') setZoom((z) => Math.min(ZOOMS.length - 1, z + 1));
    else if (event.key === '-' || event.key === '_') setZoom((z) => Math.max(0, z - 1));
    else if (event.key === '0') setZoom(0);
    else if (event.key === '[' || event.key === ']') {
      if (shapes.length === 0) return true;
      const at = shapes.findIndex((s) => s.uuid === selected);
      const next = event.key === ']' ? (at + 1) % shapes.length : (at - 1 + shapes.length) % shapes.length;
      setSelected(shapes[at < 0 ? 0 : next].uuid);
    } else if (event.key === 'Enter' && polygon.length > 0) closePolygon();
    else if (event.key === 'Escape') {
      if (polygon.length) setPolygon([]);
      else setSelected(undefined);
    } else if (event.key === 'Backspace' && polygon.length > 0) setPolygon((v) => v.slice(0, -1));
    else if (event.key === 'Delete' || event.key === 'Backspace') removeShape(selected);
    else if (event.key.startsWith('Arrow') && selectedShape) {
      const step = event.shiftKey ? 10 : 1;
      const dx = event.key === 'ArrowLeft' ? -step : event.key === 'ArrowRight' ? step : 0;
      const dy = event.key === 'ArrowUp' ? -step : event.key === 'ArrowDown' ? step : 0;
      nudge(dx, dy, event.altKey);
    } else {
      const digit = digitOf(event);
      if (digit === undefined || digit < 1) return false;
      return pickLabel(digit - 1);
    }
    return true;
  });

  const annotations = shapes.map((s) =>
    s.type === 'box'
      ? { uuid: s.uuid, type: 'box', label: s.label, left: s.left, top: s.top, width: s.width, height: s.height }
      : { uuid: s.uuid, type: 'polygon', label: s.label, vertices: s.vertices.map((v) => ({ x: v.x, y: v.y })) },
  );
  useReport(onChange, natural && polygon.length === 0 ? { annotations } : undefined);

  const draft = drag?.kind === 'draw' ? boxFrom(drag.from, drag.to) : undefined;
  const handleSize = px(9);
  const toolName = (tl: Tool) => (tl === 'box' ? t('views.image.toolBox') : tl === 'polygon' ? t('views.image.toolPolygon') : t('views.image.toolSelect'));
  const toolKey = (tl: Tool) => (tl === 'box' ? 'B' : tl === 'polygon' ? 'P' : 'V');
  const locale = i18n.language;

  return (
    <div className="view view-image">
      <div className="image-toolbar" role="toolbar" aria-label={t('views.image.tools')}>
        <div className="segmented">
          {tools.map((tl) => (
            <button key={tl} type="button" className={`segment ${tool === tl ? 'is-selected' : ''}`} aria-pressed={tool === tl} onClick={() => setTool(tl)} disabled={disabled} data-tool={tl} aria-keyshortcuts={toolKey(tl)}>
              {toolName(tl)} <Key>{toolKey(tl)}</Key>
            </button>
          ))}
        </div>
        <div className="segmented" aria-label={t('views.image.label')}>
          {labelsFor(selectedShape?.type ?? currentKind).map((l, i) => (
            <button
              key={l}
              type="button"
              className={`segment ${(selectedShape ? selectedShape.label === l : currentLabel === l) ? 'is-selected' : ''}`}
              onClick={() => pickLabel(i)}
              disabled={disabled}
              data-label={l}
              aria-keyshortcuts={i < 9 ? String(i + 1) : undefined}
            >
              <span className="swatch" style={{ backgroundColor: colorOf(l) }} aria-hidden="true" /> <span dir="auto">{l}</span> {i < 9 && <Key>{i + 1}</Key>}
            </button>
          ))}
        </div>
        <div className="segmented">
          <button type="button" className="segment" onClick={() => setZoom((z) => Math.max(0, z - 1))} aria-label={t('views.image.zoomOut')} data-testid="zoom-out">
            − <Key>-</Key>
          </button>
          <span className="segment zoom-value" data-testid="zoom" data-value={scale}>
            {formatNumber(Math.round(scale * 100), locale)} %
          </span>
          <button type="button" className="segment" onClick={() => setZoom((z) => Math.min(ZOOMS.length - 1, z + 1))} aria-label={t('views.image.zoomIn')} data-testid="zoom-in">
            + <Key>+</Key>
          </button>
          <button type="button" className="segment" onClick={() => setZoom(0)}>
            {t('views.image.fit')} <Key>0</Key>
          </button>
        </div>
      </div>
      <div className="image-layout">
        <div ref={stage} className="image-stage" data-testid="image-stage">
          {failed ? (
            <p className="note note-error">{t('views.image.failed')}</p>
          ) : (
            <div className="image-canvas" style={{ width: W * scale, height: H * scale }}>
              <img
                src={src}
                alt={t('views.image.alt')}
                draggable={false}
                width={W * scale}
                height={H * scale}
                onLoad={(e) => {
                  if (!declared) setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight });
                }}
                onError={() => setFailed(true)}
                style={natural ? undefined : { visibility: 'hidden', width: 'auto', height: 'auto' }}
              />
              {natural && (
                // biome-ignore lint/a11y/noSvgWithoutTitle: labelled by aria-label; the shapes are also listed beside it
                <svg
                  ref={svg}
                  className={`image-overlay tool-${tool}`}
                  viewBox={`0 0 ${W} ${H}`}
                  width={W * scale}
                  height={H * scale}
                  role="img"
                  aria-label={t('views.image.canvas', { n: shapes.length })}
                  data-testid="image-canvas"
                  data-width={W}
                  data-height={H}
                  onPointerDown={onPointerDown}
                  onPointerMove={onPointerMove}
                  onPointerUp={onPointerUp}
                  onPointerLeave={() => setHover(undefined)}
                  onDoubleClick={() => tool === 'polygon' && closePolygon()}
                >
                  {shapes.map((s) => {
                    const color = colorOf(s.label);
                    const isSel = s.uuid === selected;
                    const b = bounds(s);
                    return (
                      <g key={s.uuid} data-shape={s.uuid} className={isSel ? 'is-selected' : ''}>
                        {s.type === 'box' ? (
                          <rect x={s.left} y={s.top} width={s.width} height={s.height} stroke={color} fill={`${color}33`} strokeWidth={isSel ? 3 : 2} vectorEffect="non-scaling-stroke" />
                        ) : (
                          <polygon points={s.vertices.map((v) => `${v.x},${v.y}`).join(' ')} stroke={color} fill={`${color}33`} strokeWidth={isSel ? 3 : 2} vectorEffect="non-scaling-stroke" />
                        )}
                        <text x={b.left + px(3)} y={b.top - px(4)} fontSize={px(12)} fill={color} className="shape-label">
                          {s.label}
                        </text>
                      </g>
                    );
                  })}
                  {selectedShape?.type === 'box' &&
                    !disabled &&
                    (['nw', 'ne', 'sw', 'se'] as const).map((corner) => (
                      <rect
                        key={corner}
                        data-handle="corner"
                        data-corner={corner}
                        className={`handle handle-${corner}`}
                        x={(corner.includes('w') ? selectedShape.left : selectedShape.left + selectedShape.width) - handleSize / 2}
                        y={(corner.includes('n') ? selectedShape.top : selectedShape.top + selectedShape.height) - handleSize / 2}
                        width={handleSize}
                        height={handleSize}
                        vectorEffect="non-scaling-stroke"
                      />
                    ))}
                  {selectedShape?.type === 'polygon' &&
                    !disabled &&
                    selectedShape.vertices.map((v, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: vertices are positional
                      <circle key={i} data-handle="vertex" data-index={i} className="handle" cx={v.x} cy={v.y} r={handleSize / 2} vectorEffect="non-scaling-stroke" />
                    ))}
                  {draft && <rect className="draft" x={draft.left} y={draft.top} width={draft.width} height={draft.height} vectorEffect="non-scaling-stroke" />}
                  {polygon.length > 0 && (
                    <polyline className="draft" points={[...polygon, ...(hover ? [hover] : [])].map((v) => `${v.x},${v.y}`).join(' ')} vectorEffect="non-scaling-stroke" />
                  )}
                  {polygon.map((v, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: vertices are positional
                    <circle key={i} className="draft-vertex" cx={v.x} cy={v.y} r={px(4)} />
                  ))}
                </svg>
              )}
            </div>
          )}
        </div>
        <aside className="shape-list" aria-labelledby={`shapes-${task.id}`}>
          <h3 id={`shapes-${task.id}`}>{t('views.image.shapes', { n: formatNumber(shapes.length, locale) })}</h3>
          {natural && (
            <p className="muted small" dir="ltr">
              {formatNumber(W, locale)} × {formatNumber(H, locale)} px
            </p>
          )}
          {shapes.length === 0 ? (
            <p className="muted">{t('views.image.none')}</p>
          ) : (
            <ol data-testid="shape-list">
              {shapes.map((s) => (
                <li key={s.uuid} className={s.uuid === selected ? 'is-selected' : ''} data-shape-item={s.uuid}>
                  <button type="button" className="button-link" onClick={() => setSelected(s.uuid)} aria-pressed={s.uuid === selected}>
                    <span className="swatch" style={{ backgroundColor: colorOf(s.label) }} aria-hidden="true" /> {s.type === 'box' ? t('views.image.box') : t('views.image.polygon')}
                  </button>
                  <select aria-label={t('views.image.labelOf')} value={s.label} disabled={disabled} onChange={(e) => update(s.uuid, (x) => ({ ...x, label: e.target.value }))}>
                    {labelsFor(s.type).map((l) => (
                      <option key={l} value={l}>
                        {l}
                      </option>
                    ))}
                  </select>
                  <span className="muted small" dir="ltr">
                    {s.type === 'box' ? `${s.left}, ${s.top} · ${s.width}×${s.height}` : t('views.image.points', { n: s.vertices.length })}
                  </span>
                  <button type="button" className="button button-small button-quiet" onClick={() => removeShape(s.uuid)} disabled={disabled}>
                    {t('views.ner.remove')}
                  </button>
                </li>
              ))}
            </ol>
          )}
        </aside>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {message}
      </p>
      {message && <p className="muted small">{message}</p>}
      <KeyLine
        items={[
          ['B P V', t('views.image.keyTools')],
          ['1…9', t('views.image.keyLabel')],
          ['N', t('views.image.keyNew')],
          ['← ↑ → ↓', t('views.image.keyMove')],
          ['Alt+←↑→↓', t('views.image.keyResize')],
          ['[ ]', t('views.image.keyCycle')],
          ['Enter', t('views.image.keyClose')],
          ['Esc', t('views.image.keyCancel')],
          ['Del', t('views.image.keyDelete')],
          ['+ − 0', t('views.image.keyZoom')],
        ]}
      />
    </div>
  );
}
