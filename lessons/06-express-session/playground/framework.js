// Lesson 6's buttons for the framework example, on lesson 3's playground page: send() and
// form come from the page's own script, playground.js, which runs first.
$('fw-login').addEventListener('click', () => {
  const body = JSON.stringify({ username: form.email.value, password: form.password.value });
  send('POST', '/login', body, 'application/json');
});
$('fw-protected').addEventListener('click', () => send('GET', '/protected-resource'));
$('fw-logout').addEventListener('click', () => send('POST', '/logout'));
