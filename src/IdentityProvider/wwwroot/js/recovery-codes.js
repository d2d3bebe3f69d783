// Copy and download for the recovery codes shown once after they were generated. Served from this
// origin so the page's Content-Security-Policy (script-src 'self') needs no exception.
(() => {
  const codes = () => Array.from(document.querySelectorAll('#recovery-codes code'), c => c.textContent).join('\n') + '\n';
  document.getElementById('copy-codes')?.addEventListener('click', async (event) => {
    await navigator.clipboard.writeText(codes());
    event.target.textContent = 'Copied';
  });
  document.getElementById('download-codes')?.addEventListener('click', () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([codes()], { type: 'text/plain' }));
    link.download = 'recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(link.href);
  });
})();
