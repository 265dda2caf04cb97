// The "try it" page's behaviour: fetch the model payload once, load the WASM engine, then keep
// the top 10 in step with the user's picks (fold-in in the browser) and show similar items on
// click. Nothing is sent anywhere: the only requests are the static files below. Without the
// engine (not built on the server, or a browser without WebAssembly) the page still shows the
// model's popularity list and search, and says in the page what is missing and how to build it.

import { loadAlsWasm } from './als-wasm.js';
import { decodeDemoPayload } from './payload.js';

/** Where the model payload and the engine live, relative to this page. */
export const PAYLOAD_URL = './demo/model.bin';
export const WASM_URLS = { simd: './demo/als-simd.wasm', scalar: './demo/als.wasm' };

const EMPTY = 0xffffffff;
const SHOWN = 12;
const $ = (id) => document.getElementById(id);

/** Lower case without accents, for search. */
const fold = (s) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

async function load() {
  const [bytes, engine] = await Promise.all([
    fetch(PAYLOAD_URL).then((r) => {
      if (!r.ok) throw new Error(`could not load ${PAYLOAD_URL}: HTTP ${r.status}`);
      return r.arrayBuffer();
    }),
    (typeof WebAssembly === 'object' ? loadAlsWasm(WASM_URLS) : Promise.reject(new Error('this browser has no WebAssembly'))).then(
      (wasm) => ({ wasm }),
      (e) => ({ missing: e.message }),
    ),
  ]);
  const model = decodeDemoPayload(new Uint8Array(bytes));
  const { wasm, missing } = engine;
  if (!wasm) return { model, wasm: null, foldIn: null, similarity: null, missing };
  // A model without item factors (e.g. --algorithm ease) cannot be folded in by the page's engine.
  if (model.rank === 0)
    return {
      model,
      wasm: null,
      foldIn: null,
      similarity: null,
      missing: `model ${model.header.model.version} has no item factors (${model.header.algorithm ?? 'its algorithm'}); the API's fold-in still personalises`,
    };
  return { model, wasm, foldIn: wasm.foldIn(model.rank, model.itemFactors, model.abiParams), similarity: wasm.similarity(model.rank, model.itemFactors), missing: null };
}

function main({ model, wasm, foldIn, similarity, missing }) {
  const picks = [];
  const keys = model.titles.map(fold);
  const popRank = new Float64Array(model.nItems).fill(Infinity);
  model.popularity.forEach((item, r) => (popRank[item] = r));
  const byPopularity = Array.from({ length: model.nItems }, (_, i) => i).sort((a, b) => popRank[a] - popRank[b] || a - b);
  let updates = 0;

  /** One list row: rank number (CSS), title (click: similar items), genres, and a button (none: "picked"). */
  function row(item, button) {
    const li = document.createElement('li');
    li.dataset.item = String(item);
    li.dataset.itemId = model.ids[item];
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = model.titles[item];
    if (similarity) {
      title.title = 'Show similar movies';
      title.addEventListener('click', () => showSimilar(item));
    }
    const genres = document.createElement('span');
    genres.className = 'genres';
    genres.textContent = model.genres[item].join(' · ');
    const info = document.createElement('div');
    info.className = 'info';
    info.append(title, genres);
    li.append(info, button ?? Object.assign(document.createElement('span'), { className: 'tag', textContent: '✓ picked' }));
    return li;
  }

  function pickButton(item) {
    if (!foldIn) return Object.assign(document.createElement('span'), { className: 'tag' }); // nothing to pick with
    const b = document.createElement('button');
    b.className = 'add';
    b.textContent = '+ pick';
    b.setAttribute('aria-label', `Pick ${model.titles[item]}`);
    b.addEventListener('click', () => pick(item));
    return b;
  }

  function renderResults() {
    const q = fold($('search').value.trim());
    const list = [];
    for (const i of byPopularity) {
      if (list.length === SHOWN) break;
      if (!picks.includes(i) && (q === '' || keys[i].includes(q))) list.push(i);
    }
    $('results').replaceChildren(...list.map((i) => row(i, pickButton(i))));
    if (list.length === 0) $('results').replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'No match.' }));
  }

  function renderPicks() {
    const remove = (item) => {
      const b = document.createElement('button');
      b.textContent = '×';
      b.setAttribute('aria-label', `Remove ${model.titles[item]}`);
      b.addEventListener('click', () => unpick(item));
      return b;
    };
    $('pick-count').textContent = picks.length ? `(${picks.length})` : '';
    if (picks.length === 0) $('picks').replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'None yet: pick a movie below.' }));
    else $('picks').replaceChildren(...picks.map((i) => row(i, remove(i))));
  }

  function renderTop() {
    const before = new Set(Array.from($('top').children, (li) => li.dataset.item));
    let items;
    if (picks.length === 0) {
      items = byPopularity.slice(0, 10);
      $('top-title').textContent = 'Popular right now';
      $('timing').textContent = foldIn ? 'Pick a movie to personalise this list.' : 'The most popular movies of this model (personalisation needs the engine).';
    } else {
      const t = performance.now();
      const top = foldIn.recommend(
        picks,
        picks.map(() => model.likeValue),
        10,
      );
      const ms = performance.now() - t;
      items = Array.from(top.items).filter((i) => i !== EMPTY);
      $('top-title').textContent = 'Top 10 for you';
      $('timing').textContent = `Updated in ${ms < 1 ? ms.toFixed(2) : ms.toFixed(1)} ms, in your browser.`;
    }
    $('top').replaceChildren(
      ...items.map((i) => {
        const li = row(i, pickButton(i));
        if (!before.has(String(i))) li.classList.add('fresh');
        return li;
      }),
    );
    document.body.dataset.updates = String(++updates);
  }

  function showSimilar(item) {
    const { items } = similarity.similar(item, 10);
    $('similar-title').textContent = `Similar to ${model.titles[item]}`;
    $('similar-list').replaceChildren(
      ...Array.from(items)
        .filter((i) => i !== EMPTY)
        .map((i) => row(i, picks.includes(i) ? null : pickButton(i))),
    );
    $('similar').hidden = false;
  }

  function update() {
    renderResults();
    renderPicks();
    renderTop();
  }

  function pick(item) {
    if (!picks.includes(item)) picks.push(item);
    $('search').value = '';
    update();
  }

  function unpick(item) {
    picks.splice(picks.indexOf(item), 1);
    update();
  }

  $('search').addEventListener('input', renderResults);
  $('search').disabled = false;
  const engine = wasm ? `engine: WebAssembly (${wasm.kernel})` : 'engine: not available, popularity list only';
  $('status').textContent = `Model ${model.header.model.version} · ${model.nItems} movies · ${model.rank} factors · ${engine} · no data leaves this page`;
  if (missing) {
    $('notice').textContent = `Personalisation is off: the WebAssembly engine could not be loaded (${missing}). The list below is the model's popularity ranking.`;
    $('notice').hidden = false;
  }
  update();
  document.body.dataset.ready = wasm ? 'true' : 'degraded';
}

load().then(main, (e) => {
  $('status').textContent = `Could not load the demo: ${e.message}`;
  document.body.dataset.ready = 'error';
  throw e;
});
