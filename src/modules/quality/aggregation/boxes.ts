/** An axis-aligned bounding box: top-left corner, size, and class label. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

/** One worker's boxes for an item (an empty list means "nothing here"). */
export interface BoxAnswer {
  worker: string;
  item: string;
  boxes: readonly Box[];
}

/** A consensus box and how many answers support it. */
export interface AggregatedBox extends Box {
  /** Answers with a box in this cluster. */
  support: number;
  /** support / answers for the item. */
  share: number;
  /** Share of the cluster's boxes that carry the chosen label. */
  labelShare: number;
}

/** Intersection over union of two boxes; 0 when either has no area. */
export function iou(a: Omit<Box, 'label'>, b: Omit<Box, 'label'>): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Cluster {
  members: Box[];
  answers: Set<number>;
  centre: Omit<Box, 'label'>;
}

/** The box whose four edges are the medians of the members' edges (robust to one sloppy box). */
function medianBox(members: readonly Box[]): Omit<Box, 'label'> {
  const left = median(members.map((b) => b.x));
  const top = median(members.map((b) => b.y));
  const right = median(members.map((b) => b.x + b.width));
  const bottom = median(members.map((b) => b.y + b.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * Box aggregation by IoU clustering: boxes from different answers to one item are grouped greedily,
 * each box joining the cluster whose current median box it overlaps most with IoU >= `iouThreshold`
 * (default 0.5, the PASCAL VOC match criterion, Everingham et al. 2010) and which holds no box from
 * the same answer yet; otherwise it starts a new cluster. Matching ignores labels, so a disagreement
 * on the class does not split one object in two. A cluster is kept when more than half the item's
 * answers contributed to it (or its share reaches `minShare`); its box has the median edges and its
 * label is the members' majority label (ties: the smallest label). Larger boxes are placed first so
 * the result does not depend on the order workers drew in. Every item with an answer appears.
 */
export function aggregateBoxes(
  answers: readonly BoxAnswer[],
  opts: { iouThreshold?: number; minShare?: number } = {},
): Map<string, AggregatedBox[]> {
  const threshold = opts.iouThreshold ?? 0.5;
  const byItem = new Map<string, BoxAnswer[]>();
  for (const answer of answers) {
    let group = byItem.get(answer.item);
    if (!group) byItem.set(answer.item, (group = []));
    group.push(answer);
  }
  const result = new Map<string, AggregatedBox[]>();
  for (const [item, group] of byItem) {
    const placed = group
      .flatMap((answer, index) => answer.boxes.map((box) => ({ box, index })))
      .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    const clusters: Cluster[] = [];
    for (const { box, index } of placed) {
      let best: Cluster | undefined;
      let bestIou = threshold;
      for (const cluster of clusters) {
        if (cluster.answers.has(index)) continue;
        const overlap = iou(box, cluster.centre);
        if (overlap >= bestIou) {
          bestIou = overlap;
          best = cluster;
        }
      }
      if (best) {
        best.members.push(box);
        best.answers.add(index);
        best.centre = medianBox(best.members);
      } else clusters.push({ members: [box], answers: new Set([index]), centre: medianBox([box]) });
    }
    const n = group.length;
    const kept: AggregatedBox[] = [];
    for (const cluster of clusters) {
      const support = cluster.answers.size;
      const keep = opts.minShare === undefined ? support * 2 > n : support / n >= opts.minShare;
      if (!keep) continue;
      const labelVotes = new Map<string, number>();
      for (const member of cluster.members) labelVotes.set(member.label, (labelVotes.get(member.label) ?? 0) + 1);
      let label = '';
      let votes = -1;
      for (const [candidate, count] of [...labelVotes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (count > votes) {
          votes = count;
          label = candidate;
        }
      }
      kept.push({ ...cluster.centre, label, support, share: support / n, labelShare: votes / cluster.members.length });
    }
    kept.sort((a, b) => a.y - b.y || a.x - b.x);
    result.set(item, kept);
  }
  return result;
}
