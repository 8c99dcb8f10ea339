package io.weft.loop.epoll.internal;

import io.weft.loop.core.signal.SignalContract;
import io.weft.loop.epoll.EpollPollerProvider;

/** The signal contract on the native epoll poller. */
class EpollSignalTest extends SignalContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}
