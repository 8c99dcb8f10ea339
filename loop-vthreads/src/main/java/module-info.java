/**
 * Blocking-style sockets, streams, sleep and await for virtual threads that park on an {@link
 * io.weft.loop.core.EventLoop}'s watchers and timers instead of holding a thread.
 */
module io.weft.loop.vthreads {
    requires transitive io.weft.loop.core;

    exports io.weft.loop.vthreads;
}
