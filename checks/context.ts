/**
 * The context one check runs in ({@link CheckRun}): its clients, its users, restarts and
 * second servers, the database, and the story it records for the failure's replay.
 *
 * @module
 */
import Database from 'better-sqlite3';
import { expectStatus, expectThat, SkipCheck } from './expect.ts';
import { ExchangeLog, HttpClient } from './http.ts';
import { describeEnv, endpointOf, envKey, type Instance, type RunState } from './instances.ts';
import type { LessonEntry } from './lessons.ts';
import { randomEmail, randomPassword } from './users.ts';
import type { CheckContext, Env, RestartOptions, SeededUser, Target, VariantOptions } from './types.ts';

/** A server of the story, with its place in the replay. */
interface Member {
  instance: Instance;
  /** The replay's shell variable for its address (`base`, `base2`...) and the port it uses there. */
  name: string;
  port: number;
}

/** A second server and its start. */
export interface Variant {
  instance: Instance;
  started: Promise<void>;
}

/**
 * Second servers on the main one's database, kept for every check of its group: starting a
 * server costs far more than a check, and sharing one is what they are for.
 */
export type SharedVariants = Map<string, Variant>;

/** Everything one check run collects for its report. */
export class CheckRun {
  readonly log = new ExchangeLog();
  readonly members: Member[] = [];
  readonly cleanups: (() => unknown)[] = [];

  constructor(
    readonly state: RunState,
    readonly main: Instance,
    readonly lesson: LessonEntry,
    private readonly shared: SharedVariants,
  ) {
    this.member(main);
  }

  /** The instances of the story, the main one first. */
  get instances(): Instance[] {
    return this.members.map((member) => member.instance);
  }

  private member(instance: Instance): Member {
    const found = this.members.find((member) => member.instance === instance);
    if (found) return found;
    const index = this.members.length;
    const member = { instance, name: index === 0 ? 'base' : `base${index + 1}`, port: this.state.replayPort + index };
    this.members.push(member);
    return member;
  }

  /** The address the replay uses for a member: the `--url` itself, or a port on this machine. */
  private replayUrl(member: Member): string {
    return this.state.mode === 'url' ? member.instance.url : `http://127.0.0.1:${member.port}`;
  }

  target(instance: Instance): Target {
    const run = this;
    const member = this.member(instance);
    const endpoint = endpointOf(instance, member.name, this.replayUrl(member));
    return {
      get url() {
        return instance.url;
      },
      replayUrl: endpoint.replayUrl,
      env: instance.env,
      dbPath: instance.dbPath,
      client: () => new HttpClient(endpoint, run.log, run.state.agents),
      async userClient(user?: SeededUser) {
        const client = new HttpClient(endpoint, run.log, run.state.agents);
        if (!instance.strategy.needsUser) return client;
        const who = user ?? run.state.users[0];
        if (!who) throw new SkipCheck('it needs a user: give one with --user email:password');
        const server = { env: instance.env, mode: run.state.mode, waitForLine: (p: RegExp, t?: number) => instance.waitForLine(p, t) };
        await instance.strategy.authenticate(client, who, server);
        return client;
      },
      async restart(options: RestartOptions = {}) {
        const stop = options.signal === 'SIGKILL' ? 'kill -9 its process' : 'Ctrl-C';
        run.log.add({ kind: 'note', text: `restart the server now (${stop}, then the same command again)` });
        await instance.restart(options);
      },
      stdout: () => instance.stdout(),
      waitForLine: (pattern, timeoutMs) => instance.waitForLine(pattern, timeoutMs),
    };
  }

  /** Starts (or reuses) a second server for this check, and writes its start into the story. */
  private async startVariant(env: Env, options: VariantOptions): Promise<Target> {
    const why = this.main.unsupported('variant');
    if (why) throw new SkipCheck(why);
    const shared = options.shareDatabase ?? false;
    let variant: Variant | undefined;
    if (shared && !options.ownProcess) {
      const key = envKey({ ...this.main.env, ...env });
      variant = this.shared.get(key);
      if (!variant) {
        const instance = this.main.variant(env, true);
        variant = { instance, started: instance.start() };
        this.shared.set(key, variant);
        // A server that did not start is not kept: the next check tries again, and says why.
        variant.started.catch(() => this.shared.delete(key));
      }
    } else {
      const instance = this.main.variant(env, shared);
      this.cleanups.push(() => instance.stop());
      variant = { instance, started: instance.start() };
    }
    const member = this.member(variant.instance);
    const where = shared ? 'on the same database' : 'on a fresh database';
    const how = describeEnv(env) || 'the same environment';
    this.log.add({ kind: 'note', text: `now start another server in terminal ${this.members.length + 1}, ${where}, with ${how}:` });
    this.log.add({ kind: 'start', lines: variant.instance.setup(this.state.users, member.port) });
    await variant.started;
    return this.target(variant.instance);
  }

  context(): CheckContext {
    const run = this;
    const main = this.target(this.main);
    const context: CheckContext = {
      ...main,
      get url() {
        return main.url;
      },
      lesson: this.lesson.number,
      profile: this.state.profile,
      mode: this.state.mode,
      users: this.state.users,
      async someUser() {
        return run.state.users[0] ?? (await context.createUser());
      },
      async createUser(fields = {}) {
        const user: SeededUser = {
          id: '',
          email: fields.email ?? randomEmail('new'),
          password: fields.password ?? randomPassword(),
          firstName: fields.firstName ?? null,
          lastName: fields.lastName ?? null,
        };
        const client = await main.userClient();
        const res = await client.post('/api/v1/users', {
          json: { email: user.email, password: user.password, first_name: user.firstName, last_name: user.lastName },
        });
        expectStatus(res, 201, 'creating a user for this check');
        const id = (res.json() as { id?: unknown } | undefined)?.id;
        expectThat(typeof id === 'string' && id !== '', `${res.request}: the new user has no "id"`, { response: res });
        return { ...user, id };
      },
      startVariant: (env, options = {}) => run.startVariant(env, options),
      openDatabase() {
        const why = run.main.unsupported('database');
        if (why || !run.main.dbPath) throw new SkipCheck(why ?? "it reads the server's database");
        const db = new Database(run.main.dbPath, { readonly: true, fileMustExist: true });
        run.cleanups.push(() => db.close());
        return db;
      },
      note(text: string) {
        run.log.add({ kind: 'note', text });
      },
      skip(reason: string): never {
        throw new SkipCheck(reason);
      },
      browser() {
        return run.state.browser.newSession(run.main.url, run.cleanups);
      },
    };
    return context;
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.cleanups.map((cleanup) => cleanup()));
  }
}
