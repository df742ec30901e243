/**
 * Loaded (`--import`) into every server the check runner starts: when the runner's IPC
 * channel closes, because it exited or was killed, even with SIGKILL, the server exits too.
 *
 * @module
 */
if (process.channel) {
  // The channel must not keep the server alive by itself...
  process.channel.unref();
  // ...but when the runner is gone, so is the server.
  process.on('disconnect', () => process.exit(0));
}
