/**
 * Small SVG charts for the KPI dashboard, drawn here rather than by a charting library (a few
 * hundred lines instead of a hundred kilobytes). Sizes are SVG attributes, never style attributes,
 * so the Content-Security-Policy needs nothing; colours come from the style sheet. Every chart is
 * a figure with a caption (and, where the figures need it, a note on how they add up), a text
 * summary for screen readers, and its numbers in a table.
 *
 * Each chart is drawn at the width it is shown at (its drawing's units are CSS pixels), so its
 * 12px text stays 12px on a phone: a fixed drawing scaled to the screen would shrink it to 6.
 * On a narrow screen the row charts put each name above its bars rather than beside them.
 *
 * A chart whose figures have a list behind them (`drillTo`) links each figure to it twice: its
 * cell in the numbers table, for keyboards and screen readers (named with its category and
 * series), and its bar, for the pointer. The bar is no link of the page's (no href): the drawing
 * is one image to a screen reader, which must hold nothing focusable (axe's nested-interactive:
 * a tabindex of -1 still takes a click's focus and a screen reader's browse mode), and a focus
 * ring on it would lead to the same place as the cell.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';
import { axisTicks } from './chart-scale';
import { Link, navigate } from './router';

export type SeriesTone = 'a' | 'b' | 'c' | 'bad';

export interface Series {
  name: string;
  values: (number | null)[];
  tone?: SeriesTone;
  /**
   * In the numbers table only, not drawn: a figure made of the drawn ones that can be negative (a
   * net, beside the flows it is made of); the bars start at 0.
   */
  tableOnly?: boolean;
  /** Its values' own format in the numbers table, when not the chart's (a count beside a rate). */
  format?: (n: number) => string;
}

/** A round axis maximum above `max`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

interface ChartProps {
  id: string;
  title: ComponentChildren;
  /** One sentence for screen readers: what the chart shows. */
  summary: string;
  /** Shown under the caption, for everyone: how the figures add up, what they count. */
  note?: ComponentChildren;
  categories: string[];
  series: Series[];
  format?: (n: number) => string;
  /** Stack the series (parts of a whole) instead of grouping them side by side. */
  stacked?: boolean;
  /** A horizontal reference line (e.g. the overload threshold). */
  threshold?: { value: number; label: string };
  /** What the categories are, heading the first column of the numbers table ("Week of"). */
  categoryName?: string;
  /** The values are counts: the axis marks whole numbers only (no 0.25 of a rating). */
  integer?: boolean;
  /** Where a figure leads (the list behind it): the category's index and the series' name; undefined for none. */
  drillTo?: (category: number, series: string) => string | undefined;
  /**
   * Said in words instead of the drawing when every figure drawn is 0 (a new agency's), where axes
   * of zeros would read as data. Only where 0 means nothing happened: a median of 0 h (under a
   * minute) or a rate of 0 % is a figure, drawn.
   */
  nothing?: string;
}

/** Nothing but zeros (or no figure) to draw. */
const nothingToDraw = (series: Series[]): boolean => series.every((s) => s.tableOnly || s.values.every((v) => !v));

/**
 * A bar, leading the pointer to the list behind it when there is one (see the file's comment: for
 * the pointer only); with Ctrl, Cmd or Shift, or the middle button, in a new tab, as a link would.
 */
function DrawnBar({ href, children }: { href: string | undefined; children: ComponentChildren }) {
  if (href === undefined) return <>{children}</>;
  const follow = (e: MouseEvent) => {
    if (e.button === 1 || e.ctrlKey || e.metaKey || e.shiftKey) window.open(href, '_blank', 'noopener');
    else if (e.button === 0) navigate(href);
  };
  return (
    <a class="bar-link" onClick={follow} onAuxClick={follow}>
      {children}
    </a>
  );
}

/** The axis of counts up to `peak`: a whole step (1, 2, 5 times a power of ten) and its marks, at most five. */
export function integerTicks(peak: number): number[] {
  const wanted = Math.max(1, peak) / 4;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, wanted)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= wanted) ?? 10 * power;
  const count = Math.max(1, Math.ceil(peak / step));
  return Array.from({ length: count + 1 }, (_, i) => i * step);
}

/** Roughly how wide a label is in the charts' 12px text (no measuring: no DOM needed). */
const textWidth = (text: string) => text.length * 7;

/** The width drawn at before the figure is measured (and where it cannot be). */
const W = 640;
const H = 240;
const M = { top: 12, right: 12, bottom: 44 };
/** Below this width a row chart's names go above their bars. */
const NARROW = 480;

/** The figure's width in CSS pixels, followed as the window changes; `ref` goes on the figure. */
function useWidth(): [(figure: HTMLElement | null) => void, number] {
  const [figure, ref] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(W);
  useLayoutEffect(() => {
    if (!figure) return;
    const measure = () => {
      const w = Math.floor(figure.clientWidth);
      if (w > 0) setWidth(w);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(figure);
    return () => observer.disconnect();
  }, [figure]);
  return [ref, width];
}

/** A label cut to `room` pixels of the charts' text, with an ellipsis when cut. */
const fit = (text: string, room: number): string => {
  const chars = Math.max(4, Math.floor(room / 7));
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
};

/** The caption, and the note under it when there is one. */
function Caption({ id, title, note }: Pick<ChartProps, 'id' | 'title' | 'note'>) {
  return (
    <>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      {note !== undefined && (
        <p class="muted" id={`${id}-note`}>
          {note}
        </p>
      )}
    </>
  );
}

/** Nothing to draw: the caption and the summary in words, no empty axes. */
function EmptyChart({ id, title, summary }: Pick<ChartProps, 'id' | 'title' | 'summary'>) {
  return (
    <figure class="chart-figure" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <p class="empty">{summary}</p>
    </figure>
  );
}

/** Vertical bars per category, grouped or stacked, with a legend and the numbers in a table. */
export function BarChart({ id, title, summary, note, categories, series: all, format = String, stacked = false, threshold, categoryName, integer = false, drillTo, nothing }: ChartProps) {
  const [figure, W] = useWidth();
  if (categories.length === 0) return <EmptyChart id={id} title={title} summary={summary} />;
  if (nothing !== undefined && nothingToDraw(all)) return <EmptyChart id={id} title={title} summary={nothing} />;
  const series = all.filter((s) => !s.tableOnly);
  const totals = categories.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const peak = Math.max(threshold?.value ?? 0, ...(stacked ? totals : series.flatMap((s) => s.values.map((v) => v ?? 0))));
  // The axis's top a round figure just above the tallest bar (chart-scale.ts), which so fills most of the chart.
  const ticks = integer ? integerTicks(peak) : axisTicks(peak);
  const max = ticks[ticks.length - 1];
  // The left margin fits the widest value label (money needs more room than counts).
  const left = Math.max(32, ...ticks.map((t) => textWidth(format(t)) + 10));
  const plotW = W - left - M.right;
  const plotH = H - M.top - M.bottom;
  const y = (v: number) => M.top + plotH - (v / max) * plotH;
  const band = plotW / categories.length;
  const barW = stacked ? band * 0.6 : (band * 0.75) / Math.max(1, series.length);
  // Labels at least `every` categories apart, so they never touch. Every bar can be read: the first
  // and the last bar are named under them (no bar left of the first label or right of the last),
  // then every other bar that has room, then the first and last categories, then every n-th.
  const every = Math.max(1, Math.ceil((Math.max(...categories.map(textWidth)) + 12) / band));
  const indices = categories.map((_, i) => i);
  const withBars = indices.filter((i) => series.some((s) => (s.values[i] ?? 0) !== 0));
  const labelled = new Set<number>();
  for (const i of [withBars[withBars.length - 1], withBars[0], ...withBars, categories.length - 1, 0, ...indices.filter((i) => i % every === 0)]) {
    if (i !== undefined && ![...labelled].some((j) => Math.abs(i - j) < every)) labelled.add(i);
  }

  return (
    <figure class="chart-figure" aria-labelledby={`${id}-title`} aria-describedby={note !== undefined ? `${id}-note` : undefined} ref={figure}>
      <Caption id={id} title={title} note={note} />
      {series.length > 1 && <Legend series={series} />}
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <desc id={`${id}-desc`}>{summary}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line class="grid" x1={left} x2={W - M.right} y1={y(t)} y2={y(t)} />
            <text x={left - 6} y={y(t) + 4} text-anchor="end">
              {format(t)}
            </text>
          </g>
        ))}
        {categories.map((c, i) => {
          const x0 = left + i * band;
          let base = 0;
          return (
            <g key={c}>
              {series.map((s, k) => {
                const v = s.values[i];
                if (v === null || v === undefined) return null;
                const x = stacked ? x0 + (band - barW) / 2 : x0 + (band - barW * series.length) / 2 + k * barW;
                const top = stacked ? base + v : v;
                const rect = (
                  <DrawnBar key={s.name} href={drillTo?.(i, s.name)}>
                    <rect class={`bar bar--${s.tone ?? 'a'}`} x={x} width={Math.max(1, barW - 1)} y={y(top)} height={Math.max(0, y(stacked ? base : 0) - y(top))}>
                      <title>{`${c} · ${s.name}: ${format(v)}`}</title>
                    </rect>
                  </DrawnBar>
                );
                if (stacked) base += v;
                return rect;
              })}
              {/* A mark under every category, longer under a labelled one: an unlabelled bar is counted from its neighbours. */}
              <line class="axis" x1={x0 + band / 2} x2={x0 + band / 2} y1={y(0)} y2={y(0) + (labelled.has(i) ? 5 : 3)} />
              {labelled.has(i) && (
                // Under its bar; one at the right edge moved in just enough to stay whole when the bars are narrow.
                <text x={Math.min(x0 + band / 2, W - 2 - textWidth(c) / 2)} y={H - M.bottom + 16} text-anchor="middle">
                  {c}
                </text>
              )}
            </g>
          );
        })}
        {threshold && (
          <g>
            <line class="threshold" x1={left} x2={W - M.right} y1={y(threshold.value)} y2={y(threshold.value)} />
            <text x={W - M.right} y={y(threshold.value) - 4} text-anchor="end" class="threshold-label">
              {threshold.label}
            </text>
          </g>
        )}
        <line class="axis" x1={left} x2={W - M.right} y1={y(0)} y2={y(0)} />
      </svg>
      <Numbers id={id} categories={categories} series={all} format={format} categoryName={categoryName} drillTo={drillTo} />
    </figure>
  );
}

/** Horizontal bars, one row per name (people, managers, departments): long labels stay readable. */
export function RowChart({ id, title, summary, note, categories, series: all, format = String, threshold, categoryName, drillTo, nothing }: ChartProps) {
  const [figure, W] = useWidth();
  if (categories.length === 0) return <EmptyChart id={id} title={title} summary={summary} />;
  if (nothing !== undefined && nothingToDraw(all)) return <EmptyChart id={id} title={title} summary={nothing} />;
  const series = all.filter((s) => !s.tableOnly);
  const rowH = 22;
  const gap = 8;
  // Narrow: each name on a line of its own above its bars, which then start at the left edge.
  const narrow = W < NARROW;
  const labelW = narrow ? 1 : 170;
  const labelH = narrow ? 18 : 0;
  const blockH = labelH + rowH * series.length + gap;
  const height = M.top + categories.length * blockH + 24;
  const peak = Math.max(threshold?.value ?? 0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  // Room on the right for the widest value written after its bar ("under a minute", "€13,000.00"), whole.
  const valueW = Math.max(60, ...series.flatMap((s) => s.values.map((v) => textWidth(format(v ?? 0)) + 12)));
  const plotW = W - labelW - valueW;
  const max = niceMax(peak);
  const x = (v: number) => labelW + (v / max) * plotW;
  return (
    <figure class="chart-figure" aria-labelledby={`${id}-title`} aria-describedby={note !== undefined ? `${id}-note` : undefined} ref={figure}>
      <Caption id={id} title={title} note={note} />
      {series.length > 1 && <Legend series={series} />}
      <svg class="chart" viewBox={`0 0 ${W} ${height}`} width={W} height={height} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <desc id={`${id}-desc`}>{summary}</desc>
        {categories.map((c, i) => {
          const top = M.top + i * blockH;
          const bars = top + labelH;
          return (
            <g key={c}>
              {narrow ? (
                // A little in from the edge: some letters' ink starts left of their position.
                <text x={2} y={top + 12}>
                  {fit(c, W - 4)}
                </text>
              ) : (
                <text x={labelW - 8} y={top + (rowH * series.length) / 2 + 4} text-anchor="end">
                  {fit(c, labelW)}
                </text>
              )}
              {series.map((s, k) => {
                const v = s.values[i] ?? 0;
                return (
                  <g key={s.name}>
                    <DrawnBar href={drillTo?.(i, s.name)}>
                      <rect class={`bar bar--${s.tone ?? 'a'}`} x={labelW} y={bars + k * rowH} height={rowH - 3} width={Math.max(1, x(v) - labelW)}>
                        <title>{`${c} · ${s.name}: ${format(v)}`}</title>
                      </rect>
                    </DrawnBar>
                    <text x={x(v) + 6} y={bars + k * rowH + rowH / 2 + 3}>
                      {format(v)}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
        {threshold && (
          <g>
            <line class="threshold" x1={x(threshold.value)} x2={x(threshold.value)} y1={M.top - 6} y2={height - 18} />
            <text x={x(threshold.value)} y={height - 4} text-anchor="middle" class="threshold-label">
              {threshold.label}
            </text>
          </g>
        )}
        <line class="axis" x1={labelW} x2={labelW} y1={M.top - 6} y2={height - 18} />
      </svg>
      <Numbers id={id} categories={categories} series={all} format={format} categoryName={categoryName} drillTo={drillTo} />
    </figure>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <ul class="legend">
      {series.map((s) => (
        <li key={s.name}>
          <svg class="swatch" viewBox="0 0 10 10" width="12" height="12" aria-hidden="true">
            <rect class={`bar bar--${s.tone ?? 'a'}`} width="10" height="10" />
          </svg>
          {s.name}
        </li>
      ))}
    </ul>
  );
}

function Numbers({
  id,
  categories,
  series,
  format,
  categoryName = 'Category',
  drillTo,
}: {
  id: string;
  categories: string[];
  series: Series[];
  format: (n: number) => string;
  categoryName?: string;
  drillTo?: ChartProps['drillTo'];
}) {
  return (
    <details class="chart-numbers">
      <summary>The numbers</summary>
      <div class="table-wrap">
        <table id={`${id}-table`}>
          <thead>
            <tr>
              <th scope="col">{categoryName}</th>
              {series.map((s) => (
                <th key={s.name} scope="col" class="num">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {categories.map((c, i) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                {series.map((s) => {
                  const shown = s.values[i] === null || s.values[i] === undefined ? '—' : (s.format ?? format)(s.values[i]!);
                  const href = drillTo?.(i, s.name);
                  return (
                    <td key={s.name} class="num">
                      {href === undefined ? (
                        shown
                      ) : (
                        // Named with its row and column: a list of the page's links reads "Week of 12 Jan, Late: 2", not "2".
                        <Link href={href} aria-label={`${categoryName} ${c}, ${s.name}: ${shown}`}>
                          {shown}
                        </Link>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
