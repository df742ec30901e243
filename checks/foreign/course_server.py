#!/usr/bin/env python3
"""A course server from outside this project, for the check runner's own tests.

It ports the original course's Flask projects ("Basic authentication" and "Session
authentication", up to SessionDBAuth) to Python's standard library, quirks included:

- users in `.db_User.json` and sessions in `.db_UserSession.json`, in the current folder,
  read once at start and written on every save;
- passwords as unsalted SHA-256, session ids as uuid4, cookies without HttpOnly;
- `SESSION_DURATION` read with int() (so "1.5" means no expiry), sessions never deleted
  when they expire, created_at stored to the second;
- Flask's answers where the course wrote no handler: an HTML 405, an HTML 500.

`--bug NAME` (repeatable) breaks one thing on purpose, as the servers the check runner
must catch: see BUGS below. Run it as the course runs its app:

    API_PORT=6201 AUTH_TYPE=session_auth SESSION_NAME=_my_session_id python3 course_server.py
"""
import base64
import hashlib
import json
import os
import sys
import threading
import uuid
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

BUGS = {
    'basic-project': 'the Basic auth project as handed in: no /users/me (task 0 of the Session project)',
    'truthy-cookie': 'the guard tests truthiness: an empty session cookie counts as none (401)',
    'prefix-excluded': 'excluded paths matched by prefix: /api/v1/statusXYZ needs no credentials',
    'second-login-refused': 'a login with a live session cookie answers 400 "already logged in"',
    'instant-expiry': 'SESSION_DURATION read as milliseconds: sessions expire at once',
    'expired-kept': 'the expiry is computed but never enforced: expired sessions keep working',
    'lost-at-restart': 'SessionDBAuth keeps its sessions in memory only: a restart loses them',
    'auth-by-default': 'without AUTH_TYPE it uses Basic auth, so nobody can create the first user',
}

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"
DATA = {}


class HTTPError(Exception):
    """abort(status): the app's error handlers answer it."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class Base:
    """The course's models/base.py: objects kept in DATA, saved to a JSON file per class."""

    def __init__(self, *args, **kwargs):
        DATA.setdefault(type(self).__name__, {})
        self.id = kwargs.get('id', str(uuid.uuid4()))
        now = datetime.utcnow()
        self.created_at = datetime.strptime(kwargs['created_at'], TIMESTAMP_FORMAT) if kwargs.get('created_at') else now
        self.updated_at = datetime.strptime(kwargs['updated_at'], TIMESTAMP_FORMAT) if kwargs.get('updated_at') else now

    def to_json(self, for_serialization=False):
        result = {}
        for key, value in self.__dict__.items():
            if not for_serialization and key[0] == '_':
                continue
            result[key] = value.strftime(TIMESTAMP_FORMAT) if isinstance(value, datetime) else value
        return result

    @classmethod
    def file_path(cls):
        return ".db_{}.json".format(cls.__name__)

    @classmethod
    def load_from_file(cls):
        DATA[cls.__name__] = {}
        if not os.path.exists(cls.file_path()):
            return
        with open(cls.file_path(), 'r') as f:
            for obj_id, obj_json in json.load(f).items():
                DATA[cls.__name__][obj_id] = cls(**obj_json)

    @classmethod
    def save_to_file(cls):
        objs = {obj_id: obj.to_json(True) for obj_id, obj in DATA[cls.__name__].items()}
        with open(cls.file_path(), 'w') as f:
            json.dump(objs, f)

    def save(self):
        self.updated_at = datetime.utcnow()
        DATA[type(self).__name__][self.id] = self
        type(self).save_to_file()

    def remove(self):
        if DATA[type(self).__name__].pop(self.id, None) is not None:
            type(self).save_to_file()

    @classmethod
    def count(cls):
        return len(DATA[cls.__name__])

    @classmethod
    def all(cls):
        return cls.search()

    @classmethod
    def get(cls, id):
        return DATA[cls.__name__].get(id)

    @classmethod
    def search(cls, attributes={}):
        def matches(obj):
            return all(getattr(obj, key) == value for key, value in attributes.items())
        return list(filter(matches, DATA[cls.__name__].values()))


class User(Base):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = kwargs.get('email')
        self._password = kwargs.get('_password')
        self.first_name = kwargs.get('first_name')
        self.last_name = kwargs.get('last_name')

    @property
    def password(self):
        return self._password

    @password.setter
    def password(self, pwd):
        # The course's hash: SHA-256, no salt.
        self._password = hashlib.sha256(pwd.encode()).hexdigest().lower() if isinstance(pwd, str) else None

    def is_valid_password(self, pwd):
        if not isinstance(pwd, str) or self.password is None:
            return False
        return hashlib.sha256(pwd.encode()).hexdigest().lower() == self.password


class UserSession(Base):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = kwargs.get('user_id')
        self.session_id = kwargs.get('session_id')


class Request:
    """What the views read of a request, as Flask's `request` offers it."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.current_user = None
        self.cookies = {}
        for pair in (headers.get('Cookie') or '').split(';'):
            name, equals, value = pair.strip().partition('=')
            if equals and name not in self.cookies:
                self.cookies[name] = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value

    def get_json(self):
        """Flask's get_json(): None for another media type, an exception for bad JSON."""
        if (self.headers.get('Content-Type') or '').split(';')[0].strip() != 'application/json':
            return None
        return json.loads(self.body.decode('utf-8'))

    @property
    def form(self):
        return {key: values[0] for key, values in parse_qs(self.body.decode('utf-8', 'replace')).items()}


class Auth:
    def require_auth(self, path, excluded_paths):
        if path is None or not excluded_paths:
            return True
        if 'prefix-excluded' in bugs:
            return not any(path.startswith(excluded.rstrip('/')) for excluded in excluded_paths)
        if not path.endswith('/'):
            path += '/'
        for excluded in excluded_paths:
            if excluded.endswith('*') and path.startswith(excluded[:-1]):
                return False
        return path not in excluded_paths

    def authorization_header(self, request=None):
        return request.headers.get('Authorization') if request is not None else None

    def current_user(self, request=None):
        return None

    def session_cookie(self, request=None):
        return request.cookies.get(os.getenv('SESSION_NAME')) if request is not None else None


class BasicAuth(Auth):
    def extract_base64_authorization_header(self, header):
        if not isinstance(header, str) or not header.startswith('Basic '):
            return None
        return header[6:]

    def decode_base64_authorization_header(self, b64):
        if not isinstance(b64, str):
            return None
        try:
            return base64.b64decode(b64).decode('utf-8')
        except Exception:
            return None

    def extract_user_credentials(self, decoded):
        if not isinstance(decoded, str) or ':' not in decoded:
            return None, None
        # Task 12: the password may hold colons.
        email, password = decoded.split(':', 1)
        return email, password

    def user_object_from_credentials(self, email, pwd):
        if not isinstance(email, str) or not isinstance(pwd, str):
            return None
        users = User.search({'email': email})
        if not users or not users[0].is_valid_password(pwd):
            return None
        return users[0]

    def current_user(self, request=None):
        b64 = self.extract_base64_authorization_header(self.authorization_header(request))
        email, pwd = self.extract_user_credentials(self.decode_base64_authorization_header(b64))
        return self.user_object_from_credentials(email, pwd)


class SessionAuth(Auth):
    user_id_by_session_id = {}

    def create_session(self, user_id=None):
        if not isinstance(user_id, str):
            return None
        session_id = str(uuid.uuid4())
        self.user_id_by_session_id[session_id] = user_id
        return session_id

    def user_id_for_session_id(self, session_id=None):
        if not isinstance(session_id, str):
            return None
        return self.user_id_by_session_id.get(session_id)

    def current_user(self, request=None):
        return User.get(self.user_id_for_session_id(self.session_cookie(request)))

    def destroy_session(self, request=None):
        session_id = self.session_cookie(request)
        if session_id is None or not self.user_id_for_session_id(session_id):
            return False
        del self.user_id_by_session_id[session_id]
        return True


def session_duration():
    try:
        return int(os.getenv('SESSION_DURATION'))
    except Exception:
        return 0


def expired(created_at, now):
    """Whether a session created at `created_at` has outlived SESSION_DURATION."""
    seconds = session_duration()
    lifetime = timedelta(milliseconds=seconds) if 'instant-expiry' in bugs else timedelta(seconds=seconds)
    return created_at + lifetime < now and 'expired-kept' not in bugs


class SessionExpAuth(SessionAuth):
    def create_session(self, user_id=None):
        session_id = super().create_session(user_id)
        if session_id is None:
            return None
        self.user_id_by_session_id[session_id] = {'user_id': user_id, 'created_at': datetime.now()}
        return session_id

    def user_id_for_session_id(self, session_id=None):
        session = self.user_id_by_session_id.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            return None
        if session_duration() <= 0:
            return session.get('user_id')
        if session.get('created_at') is None or expired(session['created_at'], datetime.now()):
            return None
        return session.get('user_id')


class SessionDBAuth(SessionExpAuth):
    def create_session(self, user_id=None):
        session_id = super().create_session(user_id)
        if session_id is None:
            return None
        user_session = UserSession(user_id=user_id, session_id=session_id)
        if 'lost-at-restart' in bugs:
            DATA['UserSession'][user_session.id] = user_session
        else:
            user_session.save()
        return session_id

    def user_id_for_session_id(self, session_id=None):
        if not isinstance(session_id, str):
            return None
        found = UserSession.search({'session_id': session_id})
        if not found:
            return None
        if session_duration() <= 0:
            return found[0].user_id
        if expired(found[0].created_at, datetime.utcnow()):
            return None
        return found[0].user_id

    def destroy_session(self, request=None):
        session_id = self.session_cookie(request)
        found = UserSession.search({'session_id': session_id}) if isinstance(session_id, str) else []
        if not found:
            return False
        found[0].remove()
        return True


def jsonify(value, status=200, cookies=()):
    return status, 'application/json', json.dumps(value), list(cookies)


def html(status, title, text):
    page = '<!doctype html>\n<html lang=en>\n<title>{0} {1}</title>\n<h1>{1}</h1>\n<p>{2}</p>\n'
    return status, 'text/html; charset=utf-8', page.format(status, title, text), []


def view_status(request):
    return jsonify({"status": "OK"})


def view_stats(request):
    return jsonify({"users": User.count()})


def view_unauthorized(request):
    raise HTTPError(401)


def view_forbidden(request):
    raise HTTPError(403)


def view_all_users(request):
    return jsonify([user.to_json() for user in User.all()])


def view_one_user(request, user_id):
    if user_id == 'me' and 'basic-project' not in bugs:
        if request.current_user is None:
            raise HTTPError(404)
        return jsonify(request.current_user.to_json())
    user = User.get(user_id)
    if user is None:
        raise HTTPError(404)
    return jsonify(user.to_json())


def delete_user(request, user_id):
    user = User.get(user_id)
    if user is None:
        raise HTTPError(404)
    user.remove()
    return jsonify({})


def read_json(request):
    try:
        return request.get_json()
    except Exception:
        return None


def create_user(request):
    rj = read_json(request)
    error_msg = None
    if rj is None:
        error_msg = "Wrong format"
    # As in the course, outside any try: a JSON array or string here is a 500.
    if error_msg is None and rj.get("email", "") == "":
        error_msg = "email missing"
    if error_msg is None and rj.get("password", "") == "":
        error_msg = "password missing"
    if error_msg is None:
        try:
            user = User()
            user.email = rj.get("email")
            user.password = rj.get("password")
            user.first_name = rj.get("first_name")
            user.last_name = rj.get("last_name")
            user.save()
            return jsonify(user.to_json(), 201)
        except Exception as e:
            error_msg = "Can't create User: {}".format(e)
    return jsonify({'error': error_msg}, 400)


def update_user(request, user_id):
    user = User.get(user_id)
    if user is None:
        raise HTTPError(404)
    rj = read_json(request)
    if rj is None:
        return jsonify({'error': "Wrong format"}, 400)
    if rj.get('first_name') is not None:
        user.first_name = rj.get('first_name')
    if rj.get('last_name') is not None:
        user.last_name = rj.get('last_name')
    user.save()
    return jsonify(user.to_json())


def login(request):
    form = request.form
    email = form.get('email')
    if not email:
        return jsonify({"error": "email missing"}, 400)
    password = form.get('password')
    if not password:
        return jsonify({"error": "password missing"}, 400)
    users = User.search({'email': email})
    if not users:
        return jsonify({"error": "no user found for this email"}, 404)
    if not users[0].is_valid_password(password):
        return jsonify({"error": "wrong password"}, 401)
    if 'second-login-refused' in bugs and auth.current_user(request) is not None:
        return jsonify({"error": "already logged in"}, 400)
    session_id = auth.create_session(users[0].id)
    # Flask's set_cookie: Path=/, and nothing else.
    return jsonify(users[0].to_json(), cookies=['{}={}; Path=/'.format(os.getenv('SESSION_NAME'), session_id)])


def logout(request):
    if not auth.destroy_session(request):
        raise HTTPError(404)
    return jsonify({})


# (path pattern, methods, view): `<id>` matches one segment; a trailing slash is optional.
ROUTES = [
    ('/api/v1/status', {'GET'}, view_status),
    ('/api/v1/stats', {'GET'}, view_stats),
    ('/api/v1/unauthorized', {'GET'}, view_unauthorized),
    ('/api/v1/forbidden', {'GET'}, view_forbidden),
    ('/api/v1/users', {'GET'}, view_all_users),
    ('/api/v1/users', {'POST'}, create_user),
    ('/api/v1/users/<id>', {'GET'}, view_one_user),
    ('/api/v1/users/<id>', {'DELETE'}, delete_user),
    ('/api/v1/users/<id>', {'PUT'}, update_user),
    ('/api/v1/auth_session/login', {'POST'}, login),
    ('/api/v1/auth_session/logout', {'DELETE'}, logout),
]


def route(path):
    """The views whose pattern matches `path`, with the captured id (Werkzeug's routing)."""
    parts = path.rstrip('/').split('/') if path != '/' else ['']
    found = []
    for pattern, methods, view in ROUTES:
        want = pattern.split('/')
        if len(want) == len(parts) and all(w == p or (w == '<id>' and p) for w, p in zip(want, parts)):
            args = [unquote(p, errors='replace') for w, p in zip(want, parts) if w == '<id>']
            found.append((methods, view, args))
    return found


def before_request(request):
    """The course's app.py: the guard, run before every view."""
    if auth is None:
        return
    excluded = ['/api/v1/status/', '/api/v1/unauthorized/', '/api/v1/forbidden/', '/api/v1/auth_session/login/']
    if not auth.require_auth(request.path, excluded):
        return
    header, cookie = auth.authorization_header(request), auth.session_cookie(request)
    no_credentials = (not header and not cookie) if 'truthy-cookie' in bugs else (header is None and cookie is None)
    if no_credentials:
        raise HTTPError(401)
    request.current_user = auth.current_user(request)
    if request.current_user is None:
        raise HTTPError(403)


def handle(request):
    errors = {401: "Unauthorized", 403: "Forbidden", 404: "Not found"}
    try:
        before_request(request)
        matches = route(request.path)
        for methods, view, args in matches:
            if request.method in methods:
                return view(request, *args)
        if matches:
            allowed = sorted(set().union(*(methods for methods, _, _ in matches)) | {'OPTIONS'})
            status, kind, body, _ = html(405, 'Method Not Allowed', 'The method is not allowed for the requested URL.')
            return status, kind, body, [], [('Allow', ', '.join(allowed))]
        raise HTTPError(404)
    except HTTPError as error:
        return jsonify({"error": errors[error.status]}, error.status)
    except Exception:
        return html(500, 'Internal Server Error', 'The server encountered an internal error.')


class Handler(BaseHTTPRequestHandler):
    # One request per connection, as HTTP/1.0: the single app lock never waits on an idle client.
    protocol_version = 'HTTP/1.0'

    def do_any(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length > 0 else b''
        request = Request(self.command, self.path.split('?')[0], self.headers, body)
        # Flask's dev server runs views on several threads and the course never locks its
        # JSON files; this server runs one view at a time, so that its answers never depend
        # on how threads interleave.
        with app_lock:
            answer = handle(request)
        status, kind, text, cookies = answer[:4]
        payload = text.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', kind)
        self.send_header('Content-Length', str(len(payload)))
        for name, value in (answer[4] if len(answer) > 4 else []):
            self.send_header(name, value)
        for cookie in cookies:
            self.send_header('Set-Cookie', cookie)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_any

    def log_message(self, format, *args):
        pass


def pick_auth():
    kinds = {'auth': Auth, 'basic_auth': BasicAuth, 'session_auth': SessionAuth,
             'session_exp_auth': SessionExpAuth, 'session_db_auth': SessionDBAuth}
    default = 'basic_auth' if 'auth-by-default' in bugs else None
    kind = kinds.get(os.getenv('AUTH_TYPE') or default)
    return kind() if kind else None


def parse_bugs(argv):
    chosen = set()
    for i, arg in enumerate(argv):
        if arg == '--bug' and i + 1 < len(argv):
            if argv[i + 1] not in BUGS:
                sys.exit('unknown bug {}: {}'.format(argv[i + 1], ', '.join(BUGS)))
            chosen.add(argv[i + 1])
    return chosen


bugs = parse_bugs(sys.argv[1:])
app_lock = threading.Lock()
auth = None

if __name__ == "__main__":
    User.load_from_file()
    UserSession.load_from_file()
    auth = pick_auth()
    host = os.getenv("API_HOST", "127.0.0.1")
    port = int(os.getenv("API_PORT", "5000"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(" * Running on http://{}:{}".format(host, port), flush=True)
    server.serve_forever()
