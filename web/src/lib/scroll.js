// scrollable makes a box that scrolls (a wide table on a phone) reachable
// from the keyboard: focusable while its content overflows, not otherwise
// (axe-core: scrollable-region-focusable).
export function scrollable(node) {
  const update = () => {
    const over = node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1;
    if (over) node.tabIndex = 0;
    else node.removeAttribute('tabindex');
  };
  const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
  if (ro) {
    ro.observe(node);
    if (node.firstElementChild) ro.observe(node.firstElementChild);
  }
  const mo = new MutationObserver(update);
  mo.observe(node, { childList: true, subtree: true });
  update();
  return {
    destroy() {
      ro?.disconnect();
      mo.disconnect();
    },
  };
}
