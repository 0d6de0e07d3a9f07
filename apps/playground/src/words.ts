/**
 * The "Word embeddings" panel: a 2-D map (PCA or t-SNE) of the 500 most frequent Brown words' GloVe
 * vectors (shipped in data/embeddings.json; zoom with the wheel, hover for neighbours), an analogy box,
 * and a name generator that trains descend's character MLP on the shipped names list. t-SNE and the
 * training run in a worker, with progress and a Cancel button.
 */
import * as d from 'descend';
import { Vocab } from 'descend/data';
import { analogy, nearestNeighbors, pca } from 'descend/lm';
import { Cancelled, progressView, TaskWorker } from './tasks.js';
import { escapeXml } from './dom.js';

export interface Embeddings {
  words: string[];
  vocab: Vocab;
  table: d.Tensor;
}

/** Decodes the shipped vectors (unit rows as int8 / 127). */
export function decodeEmbeddings(json: { dim: number; words: string[]; int8: string }): Embeddings {
  const raw = Uint8Array.from(atob(json.int8), (c) => c.charCodeAt(0));
  const vals = Float32Array.from(new Int8Array(raw.buffer), (v) => v / 127);
  const table = d.tensor(vals).reshape([json.words.length, json.dim]);
  // Row i of the table is word i; '<unk>' leads the vocabulary, so ids are shifted by one.
  const vocab = Vocab.fromTokens(['<unk>', ...json.words]);
  return { words: json.words, vocab, table: d.cat([d.zeros([1, json.dim]), table], 0) };
}

/** The neighbours of a word, as text. */
export function neighboursOf(e: Embeddings, word: string, k = 6): string[] {
  const id = e.vocab.lookup('neighbours', word);
  return nearestNeighbors(e.table, id, k, { skip: [0] }).map((n) => e.vocab.tokens[n.id]);
}

/** a : b :: c : ?, or a one-line error naming the unknown word with close vocabulary words. */
export function answerAnalogy(e: Embeddings, a: string, b: string, c: string): string[] {
  const ids = [a, b, c].map((w) => e.vocab.lookup('analogy', w.trim()));
  return analogy(e.table, ids[0], ids[1], ids[2], 5, { skip: [0] }).map((n) => e.vocab.tokens[n.id]);
}

/** 2-D PCA coordinates of the first `n` words (quick: t-SNE runs in the worker). */
export function pcaCoords(e: Embeddings, n: number): [number, number][] {
  return pca(e.table.narrow(0, 1, n), 2).tolist() as [number, number][];
}

const SVG = 'http://www.w3.org/2000/svg';

/** Draws labelled points into `host` as an SVG whose viewBox the wheel zooms; hover calls `onHover`. */
export function drawMap(
  host: HTMLElement,
  xy: [number, number][],
  labels: string[],
  onHover: (word: string) => void,
): void {
  const W = 1000;
  const H = 640;
  const xs = xy.map((p) => p[0]);
  const ys = xy.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => 20 + ((x - x0) / (x1 - x0 || 1)) * (W - 60);
  const sy = (y: number) => H - 20 - ((y - y0) / (y1 - y0 || 1)) * (H - 40);
  // One string and one parse (500 points made node by node took a long task of their own), and one
  // capturing listener for every point's mouseenter.
  const groups = xy.map(([x, y], i) => {
    const l = escapeXml(labels[i]!);
    const [px, py] = [sx(x), sy(y)];
    return `<g class="word" data-label="${l}"><circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2" fill="#1f77b4"/><text x="${(px + 3).toFixed(1)}" y="${(py - 2).toFixed(1)}" font-size="9">${l}</text></g>`;
  });
  host.innerHTML = `<svg xmlns="${SVG}" viewBox="0 0 ${W} ${H}" width="100%" id="words-svg" style="border:1px solid #ddd;background:#fff">${groups.join('')}</svg>`;
  const svg = host.firstElementChild as SVGSVGElement;
  svg.addEventListener(
    'mouseenter',
    (ev) => {
      const g = (ev.target as Element).closest?.('g.word');
      if (g) onHover(g.getAttribute('data-label')!);
    },
    true,
  );
  let view = { x: 0, y: 0, w: W, h: H };
  svg.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      const px = view.x + ((ev.clientX - r.left) / r.width) * view.w;
      const py = view.y + ((ev.clientY - r.top) / r.height) * view.h;
      const f = ev.deltaY > 0 ? 1.2 : 1 / 1.2;
      const w = Math.min(W, view.w * f);
      const h = Math.min(H, view.h * f);
      view = { x: px - (px - view.x) * (w / view.w), y: py - (py - view.y) * (h / view.h), w, h };
      svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);
    },
    { passive: false },
  );
}

/** Wires the panel to the DOM: loads the shipped data, draws the map, answers queries. */
export async function wordsPanel(): Promise<void> {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const err = $('words-error');
  const section = $('words-panel');
  let e: Embeddings;
  try {
    const res = await fetch('./data/embeddings.json');
    e = decodeEmbeddings((await res.json()) as { dim: number; words: string[]; int8: string });
  } catch (x) {
    err.textContent = `could not load the word vectors: ${String(x)}`;
    return;
  }
  const hover = $('words-hover');
  const showNeighbours = (w: string) => {
    hover.textContent = `${w}: ${neighboursOf(e, w).join(', ')}`;
    hover.dataset.word = w;
  };
  const method = $<HTMLSelectElement>('words-method');
  const n = 500;
  const mapWorker = new TaskWorker();
  const mapBusy = progressView('words', () => mapWorker.cancel());
  let generation = 0;
  const draw = async () => {
    const gen = ++generation;
    const m = method.value === 'tsne' ? 'tsne' : 'pca';
    section.dataset.map = `${m}-pending`;
    let xy: [number, number][];
    if (m === 'pca') {
      mapWorker.cancel();
      mapBusy.hide();
      xy = pcaCoords(e, n);
    } else {
      const iterations = 300;
      mapBusy.show(`t-SNE: iteration 0 of ${iterations}`, 0, iterations);
      try {
        const table = Float32Array.from(e.table.narrow(0, 1, n).dataSync());
        const flat = await mapWorker.run(
          { kind: 'tsne', table, n, dim: e.table.shape[1]!, iterations },
          (done, total) => mapBusy.show(`t-SNE: iteration ${done} of ${total}`, done, total),
        );
        xy = Array.from({ length: n }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
      } catch (x) {
        if (gen !== generation) return;
        mapBusy.hide();
        if (x instanceof Cancelled) {
          // Back to the map that is drawn.
          method.value = section.dataset.drawn ?? 'pca';
          section.dataset.map = method.value;
        } else err.textContent = (x as Error).message;
        return;
      }
      if (gen !== generation) return;
      mapBusy.hide();
    }
    drawMap($('words-map'), xy, e.words.slice(0, n), showNeighbours);
    section.dataset.map = m;
    section.dataset.drawn = m;
  };
  method.addEventListener('change', () => {
    err.textContent = '';
    void draw();
  });
  await draw();

  const out = $('words-analogy-out');
  $('words-analogy-run').addEventListener('click', () => {
    const [a, b, c] = ['words-a', 'words-b', 'words-c'].map((id) => $<HTMLInputElement>(id).value);
    try {
      err.textContent = '';
      out.textContent = answerAnalogy(e, a, b, c).join(', ');
    } catch (x) {
      out.textContent = '';
      err.textContent = (x as Error).message;
    }
  });

  let names: string[] | null = null;
  let seed = 0;
  const list = $('words-names');
  const namesWorker = new TaskWorker();
  const namesBusy = progressView('names', () => namesWorker.cancel());
  $('words-names-run').addEventListener('click', async () => {
    try {
      err.textContent = '';
      namesBusy.show('loading the names…');
      names ??= (await (await fetch('./data/names.txt')).text())
        .split('\n')
        .filter((n) => /^[a-z]+$/.test(n));
      const samples = await namesWorker.run(
        { kind: 'names', names, count: 12, seed: seed++ },
        (done, total) => namesBusy.show(`training the character MLP: epoch ${done} of ${total}`, done, total),
      );
      namesBusy.hide();
      const known = new Set(names);
      list.replaceChildren(
        ...samples.map((s) => {
          const li = document.createElement('li');
          li.textContent = known.has(s) ? s : `${s} (new)`;
          li.dataset.name = s;
          li.dataset.known = String(known.has(s));
          return li;
        }),
      );
    } catch (x) {
      namesBusy.hide();
      if (!(x instanceof Cancelled)) err.textContent = (x as Error).message;
    }
  });
  section.dataset.ready = 'true';
}
