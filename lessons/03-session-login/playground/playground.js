// The playground's script: each button sends one request and shows what came back.
// fetch sends the session cookie by itself: same origin, credentials 'same-origin' (the default).
const $ = (id) => document.getElementById(id);
const form = $('login-form');

// A script never sees Set-Cookie (a forbidden response header): this request header asks the
// server for a copy with the session id masked, in Playground-Set-Cookie (playground.ts).
const showSetCookie = { 'Playground-Show': 'set-cookie' };

/**
 * The headers that matter for a session: the cookie the server set, caching, and (lesson 8,
 * several instances) which instance answered.
 */
function headerLines(res) {
  const copy = res.headers.get('Playground-Set-Cookie');
  const cookies = copy ? JSON.parse(copy) : [];
  const instance = res.headers.get('X-Instance');
  return [
    ...(cookies.length ? cookies.map((cookie) => `Set-Cookie: ${cookie}`) : ['Set-Cookie: (none)']),
    `Cache-Control: ${res.headers.get('Cache-Control') ?? '(none)'}`,
    ...(instance ? [`X-Instance: ${instance}`] : []),
  ].join('\n');
}

async function send(method, path, body, contentType) {
  const answer = $('answer');
  answer.setAttribute('aria-busy', 'true');
  $('request').textContent = `${method} ${path}`;
  const headers = contentType ? { 'Content-Type': contentType, ...showSetCookie } : showSetCookie;
  let text;
  try {
    const res = await fetch(path, { method, headers, body });
    $('status').textContent = `${res.status} ${res.statusText}`;
    $('status').className = `status ${res.ok ? 'ok' : 'error'}`;
    $('headers').textContent = headerLines(res);
    text = await res.text();
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: show it as it came
    }
  } catch (error) {
    $('status').textContent = 'network error';
    $('status').className = 'status error';
    $('headers').textContent = '';
    text = String(error);
  }
  $('body').textContent = text;
  showCookies();
  answer.setAttribute('aria-busy', 'false');
  // On a phone the answer is below the buttons, out of sight: bring it into view, scrolling no
  // more than needed (on a laptop, where its status line shows already, nothing moves).
  const top = answer.getBoundingClientRect().top;
  if (top > window.innerHeight - 120 || top < 0) answer.scrollIntoView({ block: 'nearest' });
  // How many answers the page has shown: tests wait for it to grow.
  answer.dataset.answers = String(Number(answer.dataset.answers) + 1);
}

function showCookies() {
  $('cookies').textContent = document.cookie === '' ? '(empty)' : document.cookie.split('; ').join('\n');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  send('POST', '/api/v1/auth_session/login', new URLSearchParams(new FormData(form)), 'application/x-www-form-urlencoded');
});
$('whoami').addEventListener('click', () => send('GET', '/api/v1/users/me'));
$('logout').addEventListener('click', () => send('DELETE', '/api/v1/auth_session/logout'));
showCookies();
