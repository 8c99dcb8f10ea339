package io.weft.loop.core.nio;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The NIO poller's own rule beside the poller contract (which loop-testkit runs on it): no raw fds. */
class NioPollerRawFdTest {

    @Test
    void rawFileDescriptorsAreRefusedWithAPointerToEpoll() throws IOException {
        try (NioPoller poller = new NioPoller()) {
            assertThatThrownBy(() -> poller.validate(PollSource.ofFd(0)))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("loop-epoll");
        }
    }
}
