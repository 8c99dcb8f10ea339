package io.weft.loop.core.nio;

import io.weft.loop.core.signal.SignalContract;

/** The signal contract on the NIO poller. */
class NioSignalTest extends SignalContract {
    @Override
    protected String pollerName() {
        return NioPollerProvider.NAME;
    }
}
