/** The linear classifier panel: a 2-D linear model, its loss, regularization and single steps. */
import { LinearDemo, type LinearLoss } from './linear.js';
import { $ } from './dom.js';
import { CLASS_COLORS } from './charts.js';
export function linearPanel(): void {
  const demo = new LinearDemo();
  const SIDE = 360;
  const R = 1.2; // the plot shows [-R, R]²
  const toPx = (x: number, y: number): [number, number] => [
    ((x + R) / (2 * R)) * SIDE,
    ((R - y) / (2 * R)) * SIDE,
  ];
  const fromPx = (px: number, py: number): [number, number] => [
    (px / SIDE) * 2 * R - R,
    R - (py / SIDE) * 2 * R,
  ];
  const canvas = $<HTMLCanvasElement>('lin-canvas');
  canvas.width = canvas.height = SIDE;
  const ctx = canvas.getContext('2d')!;
  const wInputs = $('lin-weights');
  wInputs.innerHTML =
    '<tr><th>class</th><th>W[c,0]</th><th>W[c,1]</th><th>b[c]</th></tr>' +
    demo.W.map(
      (_, c) =>
        `<tr><td style="color:rgb(${CLASS_COLORS[c]!.join(',')})">${c}</td>` +
        [0, 1]
          .map(
            (k) =>
              `<td><input type="number" step="any" data-c="${c}" data-k="${k}" aria-label="W[${c},${k}]"/></td>`,
          )
          .join('') +
        `<td><input type="number" step="any" data-c="${c}" data-k="b" aria-label="b[${c}]"/></td></tr>`,
    ).join('');
  const lossSel = $<HTMLSelectElement>('lin-loss');
  const reg = $<HTMLInputElement>('lin-reg');
  const step = $<HTMLInputElement>('lin-step');
  const writeParams = () => {
    for (const el of wInputs.querySelectorAll<HTMLInputElement>('input')) {
      const c = Number(el.dataset.c);
      const v = el.dataset.k === 'b' ? demo.b[c]! : demo.W[c]![Number(el.dataset.k)]!;
      el.value = String(Number(v.toPrecision(6)));
    }
  };
  const readParams = () => {
    for (const el of wInputs.querySelectorAll<HTMLInputElement>('input')) {
      const c = Number(el.dataset.c);
      const v = Number(el.value);
      if (!Number.isFinite(v)) continue;
      if (el.dataset.k === 'b') demo.b[c] = v;
      else demo.W[c]![Number(el.dataset.k)] = v;
    }
    demo.loss = lossSel.value as LinearLoss;
    demo.reg = Math.max(0, Number(reg.value) || 0);
    demo.step = Math.max(0, Number(step.value) || 0);
  };
  const draw = () => {
    const e = demo.evaluate();
    const img = ctx.createImageData(SIDE, SIDE);
    for (let py = 0; py < SIDE; py += 1)
      for (let px = 0; px < SIDE; px += 1) {
        const [x, y] = fromPx(px, py);
        let best = 0;
        let bestS = -Infinity;
        demo.W.forEach((w, c) => {
          const sc = w[0]! * x + w[1]! * y + demo.b[c]!;
          if (sc > bestS) [best, bestS] = [c, sc];
        });
        const col = CLASS_COLORS[best]!;
        img.data.set([col[0], col[1], col[2], 60], (py * SIDE + px) * 4);
      }
    ctx.putImageData(img, 0, 0);
    ctx.strokeStyle = '#999';
    ctx.beginPath();
    ctx.moveTo(SIDE / 2, 0);
    ctx.lineTo(SIDE / 2, SIDE);
    ctx.moveTo(0, SIDE / 2);
    ctx.lineTo(SIDE, SIDE / 2);
    ctx.stroke();
    demo.points.forEach(([x, y], k) => {
      const [px, py] = toPx(x, y);
      ctx.fillStyle = `rgb(${CLASS_COLORS[demo.labels[k]!]!.join(',')})`;
      ctx.strokeStyle = '#000';
      ctx.beginPath();
      ctx.arc(px, py, 7, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
    $('lin-table').innerHTML =
      '<tr><th>x</th><th>y</th><th>label</th><th>s0</th><th>s1</th><th>s2</th><th>loss</th></tr>' +
      demo.points
        .map(
          ([x, y], k) =>
            `<tr><td>${x.toFixed(2)}</td><td>${y.toFixed(2)}</td><td>${demo.labels[k]}</td>` +
            e.scores[k]!.map((v) => `<td>${v.toFixed(2)}</td>`).join('') +
            `<td>${e.perPoint[k]!.toFixed(2)}</td></tr>`,
        )
        .join('');
    const total = $('lin-total');
    total.dataset.loss = String(e.total);
    total.textContent = `data loss ${e.dataLoss.toFixed(4)} + regularization ${e.regLoss.toFixed(4)} = total ${e.total.toFixed(4)}`;
  };
  let dragging = -1;
  canvas.addEventListener('pointerdown', (ev) => {
    const r = canvas.getBoundingClientRect();
    const px = ((ev.clientX - r.left) * SIDE) / r.width;
    const py = ((ev.clientY - r.top) * SIDE) / r.height;
    dragging = demo.points.findIndex(([x, y]) => {
      const [qx, qy] = toPx(x, y);
      return Math.hypot(qx - px, qy - py) < 10;
    });
    if (dragging >= 0) canvas.setPointerCapture(ev.pointerId);
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (dragging < 0) return;
    const r = canvas.getBoundingClientRect();
    const [x, y] = fromPx(((ev.clientX - r.left) * SIDE) / r.width, ((ev.clientY - r.top) * SIDE) / r.height);
    demo.points[dragging] = [Math.max(-R, Math.min(R, x)), Math.max(-R, Math.min(R, y))];
    draw();
  });
  canvas.addEventListener('pointerup', () => (dragging = -1));
  // Keyboard: n / p pick the next / previous point (outlined), arrow keys move it by 0.05.
  let selected = 0;
  canvas.addEventListener('keydown', (ev) => {
    const dirs: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    const n = demo.points.length;
    if (ev.key === 'n' || ev.key === 'p') selected = (selected + (ev.key === 'n' ? 1 : n - 1)) % n;
    else if (dirs[ev.key]) {
      const [dx, dy] = dirs[ev.key]!;
      const [x, y] = demo.points[selected]!;
      demo.points[selected] = [
        Math.max(-R, Math.min(R, x + 0.05 * dx)),
        Math.max(-R, Math.min(R, y + 0.05 * dy)),
      ];
    } else return;
    ev.preventDefault();
    draw();
    const [x, y] = toPx(...demo.points[selected]!);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, 11, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.lineWidth = 1;
  });
  const stepOnce = () => {
    readParams();
    demo.update();
    writeParams();
    draw();
  };
  $('lin-single').addEventListener('click', stepOnce);
  let timer = 0;
  const repeat = $<HTMLButtonElement>('lin-repeat');
  repeat.addEventListener('click', () => {
    if (timer) {
      clearInterval(timer);
      timer = 0;
      repeat.textContent = 'Start repeated update';
    } else {
      timer = window.setInterval(stepOnce, 50);
      repeat.textContent = 'Stop repeated update';
    }
  });
  for (const el of [wInputs, lossSel, reg, step])
    el.addEventListener('change', () => {
      readParams();
      draw();
    });
  writeParams();
  draw();
}
