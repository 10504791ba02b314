/* The accessibility checks of test/support/browser.ts, run inside the page (plain browser JS). */
/* global document, getComputedStyle, NodeFilter */
(() => {
    const problems = [];
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden';
    };
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;

    for (const el of Array.from(document.querySelectorAll('input, select, textarea'))) {
      const control = el;
      if (control.type === 'hidden' || !visible(el)) continue;
      const named = (control.labels?.length ?? 0) > 0 || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
      if (!named) problems.push(`${describe(el)} has no label`);
    }
    for (const el of Array.from(document.querySelectorAll('button, a[href]'))) {
      if (!visible(el)) continue;
      const name = (el.textContent ?? '').trim() || el.getAttribute('aria-label') || el.getAttribute('title');
      if (!name) problems.push(`${describe(el)} has no accessible name`);
    }

    const rgb = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const parts = m[1].split(',').map((x) => parseFloat(x));
      return [parts[0], parts[1], parts[2], parts[3] ?? 1];
    };
    const luminance = ([r, g, b]) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      let layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) {
          layers.push(c);
          if (c[3] >= 1) break;
        }
      }
      if (layers.length === 0 || layers[layers.length - 1][3] < 1) layers = [...layers, [255, 255, 255, 1]];
      // Composite from the bottom (opaque) layer up.
      let out = layers[layers.length - 1].slice(0, 3);
      for (let i = layers.length - 2; i >= 0; i--) {
        const [r, g, b, a] = layers[i];
        out = [r * a + out[0] * (1 - a), g * a + out[1] * (1 - a), b * a + out[2] * (1 - a)];
      }
      return out;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || seen.has(el) || !(node.textContent ?? '').trim() || !visible(el)) continue;
      seen.add(el);
      const style = getComputedStyle(el);
      if (el.closest('[disabled]') || el.closest('del')) continue;
      const fg = rgb(style.color);
      const bg = background(el);
      const mixed = [fg[0] * fg[3] + bg[0] * (1 - fg[3]), fg[1] * fg[3] + bg[1] * (1 - fg[3]), fg[2] * fg[3] + bg[2] * (1 - fg[3])];
      const [l1, l2] = [luminance(mixed), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`${describe(el)} “${(node.textContent ?? '').trim().slice(0, 30)}” contrast ${ratio.toFixed(2)}:1`);
    }
    return problems;
})();
