// Narrator Studio's small browser helpers. They work without the circuit (plain DOM), so keys respond at once.
(() => {
  // Esc anywhere stops the running narration (the Stop button of the chat or the compare view), unless it closes a
  // menu or a list first.
  document.addEventListener('keydown', e => {
    if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('.mud-popover-open')) return;
    const stop = document.querySelector('[data-testid=stop], #compare-stop');
    if (stop) stop.click();
  });

  // A narration is one tab stop (its article); the arrow keys move between its buttons, Escape comes back.
  document.addEventListener('keydown', e => {
    const turn = e.target.closest && e.target.closest('.turn');
    if (!turn) return;
    const buttons = [...turn.querySelectorAll('.turn-actions button:not([disabled])')];
    if (buttons.length === 0) return;
    const i = buttons.indexOf(e.target);
    const next = e.key === 'ArrowRight' || e.key === 'ArrowDown';
    const previous = e.key === 'ArrowLeft' || e.key === 'ArrowUp';
    if (e.target === turn && next) { buttons[0].focus(); e.preventDefault(); }
    else if (i >= 0 && next) { buttons[(i + 1) % buttons.length].focus(); e.preventDefault(); }
    else if (i >= 0 && previous) { buttons[(i - 1 + buttons.length) % buttons.length].focus(); e.preventDefault(); }
    else if (i >= 0 && e.key === 'Escape') { turn.focus(); }
  });
})();

window.narrator = {
  // The theme goes into a cookie too, so the server renders the next page in it (no light flash before dark).
  setTheme(dark) {
    document.cookie = `narrator-theme=${dark ? 'dark' : 'light'}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
    document.documentElement.style.backgroundColor = '';
  },
  // Focuses an element by id (focus scrolls it into view).
  focus(id) {
    const e = document.getElementById(id);
    if (e) { e.scrollIntoView({ block: 'center' }); e.focus(); }
  },
  // Saves text as a file (batch results).
  download(name, type, text) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  },
};
