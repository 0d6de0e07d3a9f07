import * as d from '../src/index.js';
import { tsne, tsneAffinities } from '../src/lm/index.js';
for (const b of ['wasm', 'native']) {
  d.withBackend(b as never, () => {
    const X = d.randn([500, 50], { generator: new d.Generator(0) });
    let t = performance.now();
    tsneAffinities(X, 30);
    console.log(b, 'affinities', (performance.now() - t).toFixed(0), 'ms');
    t = performance.now();
    tsne(X, { iterations: 30 });
    console.log(b, 'tsne 30 it', (performance.now() - t).toFixed(0), 'ms');
  });
}
