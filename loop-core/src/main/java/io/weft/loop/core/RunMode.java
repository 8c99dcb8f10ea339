package io.weft.loop.core;

/** How long {@link EventLoop#run(RunMode)} runs, after libuv's {@code uv_run_mode}. */
public enum RunMode {
    /** Run until {@link EventLoop#stop()} or until nothing referenced is left. */
    DEFAULT,
    /** Run one iteration, blocking in the poller if there is nothing to do yet. */
    ONCE,
    /** Run one iteration without blocking in the poller. */
    NOWAIT
}
