/**
 * A free port on 127.0.0.1, for a server started by command: the check runner's servers and
 * the Redis servers of lesson 8, its checks, the fuzzer and the benchmark.
 *
 * @module
 */
import { createServer } from 'node:net';

/** Ports handed out by {@link freePort} in this process: never twice. */
const handedOut = new Set<number>();

/**
 * A port nothing listens on now, on 127.0.0.1.
 *
 * It is drawn below Linux's ephemeral range (32768 and up), where the kernel picks the ports
 * of `API_PORT=0` servers and of outgoing connections: a port probed free there could be
 * taken by one of those before the command binds it, and the checks would then talk to
 * another server. Within this process, no port is handed out twice, so that a server stopped
 * on purpose (a Redis outage) can get its own port back.
 *
 * @example
 * const port = await freePort(); // 24117
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found between 20000 and 32000 on 127.0.0.1');
}

function bindable(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
