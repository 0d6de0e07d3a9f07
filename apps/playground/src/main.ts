/** The playground page: wires the panels to the DOM and keeps their state in the URL's hash. */
import { backendInfo } from 'descend';
import { $ } from './dom.js';
import { graphPanel } from './graph-panel.js';
import { racePanel } from './race-panel.js';
import { linearPanel } from './linear-panel.js';
import { netPanel } from './net-panel.js';
import { wordsPanel } from './words.js';

graphPanel();
racePanel();
linearPanel();
netPanel();
void wordsPanel();
const info = backendInfo();
$('backend').textContent = `${info.name}: ${info.name === 'wasm' ? info.wasm : info.reason}`;
document.body.dataset.backend = info.name;
document.body.dataset.ready = 'true';

// Offline once loaded: the service worker precaches the whole site on its first visit.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker
    .register('./sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(() => (document.body.dataset.offline = 'ready'))
    .catch((e: unknown) => ($('graph-error').textContent = `offline mode unavailable: ${String(e)}`));
}
