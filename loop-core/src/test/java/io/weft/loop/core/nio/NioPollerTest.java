package io.weft.loop.core.nio;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.PollerContract;
import io.weft.loop.core.TestPipe;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class NioPollerTest extends PollerContract {
    @Override
    protected PollerProvider provider() {
        return new NioPollerProvider();
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new NioTestPipe();
    }

    @Test
    void rawFileDescriptorsAreRefusedWithAPointerToEpoll() throws IOException {
        try (NioPoller poller = new NioPoller()) {
            assertThatThrownBy(() -> poller.validate(PollSource.ofFd(0)))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("loop-epoll");
        }
    }
}
