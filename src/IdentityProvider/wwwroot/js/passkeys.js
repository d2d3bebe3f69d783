// Passkey ceremonies for the hosted pages. Served from this origin so the Content-Security-Policy
// (script-src 'self') needs no exception. Each form marked data-passkey="get" or "create" asks its
// page for a challenge (data-options), hands it to navigator.credentials, and posts the browser's
// answer with the ceremony handle back through the form itself, so the antiforgery token and the
// page's own error display work as for any other form.
(() => {
  if (!window.PublicKeyCredential) {
    return;
  }

  const fromBase64Url = value => {
    const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(base64 + '='.repeat((4 - base64.length % 4) % 4)), c => c.charCodeAt(0)).buffer;
  };
  const toBase64Url = buffer => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  // Browsers without the JSON helpers (before 2024) get the same conversion by hand.
  const parseRequest = options => PublicKeyCredential.parseRequestOptionsFromJSON
    ? PublicKeyCredential.parseRequestOptionsFromJSON(options)
    : { ...options, challenge: fromBase64Url(options.challenge),
        allowCredentials: (options.allowCredentials || []).map(c => ({ ...c, id: fromBase64Url(c.id) })) };
  const parseCreation = options => PublicKeyCredential.parseCreationOptionsFromJSON
    ? PublicKeyCredential.parseCreationOptionsFromJSON(options)
    : { ...options, challenge: fromBase64Url(options.challenge), user: { ...options.user, id: fromBase64Url(options.user.id) },
        excludeCredentials: (options.excludeCredentials || []).map(c => ({ ...c, id: fromBase64Url(c.id) })) };
  const serialize = credential => {
    if (credential.toJSON) {
      return JSON.stringify(credential.toJSON());
    }
    const response = {};
    for (const key of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'signature', 'userHandle']) {
      if (credential.response[key]) {
        response[key] = toBase64Url(credential.response[key]);
      }
    }
    if (credential.response.getTransports) {
      response.transports = credential.response.getTransports();
    }
    return JSON.stringify({ id: credential.id, rawId: toBase64Url(credential.rawId), type: credential.type,
      response, clientExtensionResults: credential.getClientExtensionResults(), authenticatorAttachment: credential.authenticatorAttachment });
  };

  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const errorBox = document.getElementById(form.dataset.error);
    const show = message => { if (errorBox) { errorBox.textContent = message; } };
    const fail = error => {
      // A conditional request is aborted whenever the user starts another one: not a failure.
      if (error.name === 'AbortError') {
        return;
      }
      show(error.pageMessage || (error.name === 'NotAllowedError' ? form.dataset.cancelled : form.dataset.failed));
    };
    const challenge = async () => {
      const response = await fetch(form.dataset.options, { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        throw Object.assign(new Error('challenge refused'), { pageMessage: body.error || form.dataset.failed });
      }
      return body;
    };
    const finish = (ceremony, credential) => {
      form.elements.ceremony.value = ceremony;
      form.elements.credential.value = serialize(credential);
      if (form.elements.password) {
        form.elements.password.value = '';
      }
      form.submit();
    };

    form.hidden = false;
    if (form.dataset.passkey === 'get') {
      let pending = null;
      const run = async mediation => {
        pending?.abort();
        const controller = new AbortController();
        pending = controller;
        const { ceremony, options } = await challenge();
        const credential = await navigator.credentials.get({ publicKey: parseRequest(options), signal: controller.signal, mediation });
        if (credential) {
          finish(ceremony, credential);
        }
      };
      form.querySelector('[data-passkey-start]')?.addEventListener('click', () => { show(''); run(undefined).catch(fail); });
      // Passkey autofill: the browser lists passkeys in the username field's suggestions.
      if (form.dataset.conditional === 'true' && PublicKeyCredential.isConditionalMediationAvailable) {
        PublicKeyCredential.isConditionalMediationAvailable()
          .then(available => available && run('conditional'))
          .catch(() => {});
      }
    } else {
      form.addEventListener('submit', async event => {
        event.preventDefault();
        show('');
        try {
          const { ceremony, options } = await challenge();
          const credential = await navigator.credentials.create({ publicKey: parseCreation(options) });
          finish(ceremony, credential);
        } catch (error) {
          fail(error);
        }
      });
    }
  }
})();
