/**
 * The users API: list, show, create, update and delete users, as the course defines it.
 *
 * @module
 */
import { Router, type Request, type RequestHandler } from 'express';
import { resource } from '../../../shared/http.ts';
import { DuplicateEmailError, InvalidEmailError, User } from '../../../shared/models/user.ts';

/** The users routes, mounted under `/api/v1`. */
export const usersRouter = Router();

/** A JSON object body, or null when the body is missing, not JSON, or not an object. */
function jsonObject(req: Request): Record<string, unknown> | null {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

/** A non-empty string field of the body, or null. */
function textField(body: Record<string, unknown>, name: string): string | null {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * `GET /users`: every user.
 * @step 0.1
 */
const listUsers: RequestHandler = (_req, res) => {
  res.json(User.all());
};

/**
 * `GET /users/:id`: the user, or 404.
 * @step 0.2
 */
const showUser: RequestHandler = (req, res) => {
  const user = User.get(req.params.id as string);
  // Answer and stop, in one line: `void` drops what json() returns, the handler returns nothing.
  if (!user) return void res.status(404).json({ error: 'Not found' });
  res.json(user);
};

/**
 * `POST /users`: checks the body in the course's order, then creates the user (201).
 * @step 0.3
 */
const createUser: RequestHandler = async (req, res) => {
  const body = jsonObject(req);
  if (!body) return void res.status(400).json({ error: 'Wrong format' });
  const email = textField(body, 'email');
  if (!email) return void res.status(400).json({ error: 'email missing' });
  const password = textField(body, 'password');
  if (!password) return void res.status(400).json({ error: 'password missing' });
  const user = new User();
  user.email = email;
  user.firstName = textField(body, 'first_name');
  user.lastName = textField(body, 'last_name');
  await user.setPassword(password);
  try {
    user.save();
  } catch (error) {
    if (error instanceof DuplicateEmailError || error instanceof InvalidEmailError) {
      return void res.status(400).json({ error: `Can't create User: ${error.message}` });
    }
    throw error;
  }
  res.status(201).json(user);
};

/**
 * `PUT /users/:id`: changes the names, nothing else.
 * @step 0.4
 */
const updateUser: RequestHandler = (req, res) => {
  const user = User.get(req.params.id as string);
  if (!user) return void res.status(404).json({ error: 'Not found' });
  const body = jsonObject(req);
  if (!body) return void res.status(400).json({ error: 'Wrong format' });
  // Only the names change (as in the course, a field that is absent or not text is left alone).
  if (typeof body.first_name === 'string') user.firstName = body.first_name;
  if (typeof body.last_name === 'string') user.lastName = body.last_name;
  user.save();
  res.json(user);
};

/**
 * `DELETE /users/:id`: removes the user, answers `{}`.
 * @step 0.5
 */
const deleteUser: RequestHandler = (req, res) => {
  const user = User.get(req.params.id as string);
  if (!user) return void res.status(404).json({ error: 'Not found' });
  user.remove();
  res.json({});
};

resource(usersRouter, '/users', { get: listUsers, post: createUser });
resource(usersRouter, '/users/:id', { get: showUser, put: updateUser, delete: deleteUser });
