// "Don't ask again on this browser": the code form's checkbox also answers for the passkey form,
// whose hidden field (data-remember-mirror) passkeys.js submits with the credential.
(() => {
  const box = document.getElementById('remember');
  const mirror = document.querySelector('input[data-remember-mirror]');
  if (!box || !mirror) {
    return;
  }

  const copy = () => { mirror.value = box.checked ? 'true' : 'false'; };
  box.addEventListener('change', copy);
  copy();
})();
