package io.weft.loop.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.testkit.ConsumerModule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module that requires only io.weft.loop.epoll can use the core types its API shows. */
class ConsumerModuleTest {

    @Test
    void requiringEpollAloneReachesTheCoreTypes(@TempDir Path work) throws Exception {
        String errors = ConsumerModule.compile(work, "io.weft.loop.epoll",
                "io.weft.loop.core.spi.PollerProvider provider = new io.weft.loop.epoll.EpollPollerProvider();",
                EventLoop.class, EpollPollerProvider.class);

        assertThat(errors).isEmpty();
    }
}
