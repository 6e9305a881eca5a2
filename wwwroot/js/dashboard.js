// The dashboard's browser side: the skip link, the console's terminal (xterm.js) and scrolling of the log view.

// The skip link moves the keyboard focus to the page's content (Blazor's router would only scroll to it).
document.addEventListener('click', event => {
  const link = event.target.closest?.('a.skip-link');
  if (!link) return;
  event.preventDefault();
  document.getElementById('main-content')?.focus();
}, true);

window.webengine = {
  // Focuses the element with this test id and data-key (a row's button, once the field it opened has closed).
  focusKeyed(testId, key) {
    document.querySelector(`[data-testid="${CSS.escape(testId)}"][data-key="${CSS.escape(key)}"]`)?.focus();
  },

  scrollToEnd(element) {
    if (element) element.scrollTop = element.scrollHeight;
  },

  // A terminal in `element` whose keystrokes and size go to the Blazor component `component`
  // (its Input and Resize methods); the component writes the process's output with write().
  openTerminal(element, component) {
    const terminal = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000 });
    const fit = new FitAddon.FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();
    const input = terminal.onData(data => component.invokeMethodAsync('Input', data));
    const resized = terminal.onResize(size => component.invokeMethodAsync('Resize', size.cols, size.rows));
    const observer = new ResizeObserver(() => { try { fit.fit(); } catch { } });
    observer.observe(element);
    return {
      write(data) { terminal.write(data); },
      reset() { terminal.reset(); },
      fit() { fit.fit(); return [terminal.cols, terminal.rows]; },
      focus() { terminal.focus(); },
      dispose() { observer.disconnect(); input.dispose(); resized.dispose(); terminal.dispose(); },
    };
  },
};
