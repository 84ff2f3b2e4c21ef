// "Copy link" buttons on My certifications: shown only where the Clipboard API works (the link stays visible as text either way).
(() => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll('button[data-copy-text]')) {
    const status = document.getElementById(button.getAttribute('aria-describedby') ?? '');
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copyText);
        if (status) status.textContent = 'Link copied.';
      } catch {
        if (status) status.textContent = 'Could not copy: select the link and copy it instead.';
      }
    });
  }
})();
