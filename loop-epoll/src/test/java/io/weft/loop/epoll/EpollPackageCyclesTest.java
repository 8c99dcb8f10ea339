package io.weft.loop.epoll;

import io.weft.loop.testkit.PackageCycles;
import org.junit.jupiter.api.Test;

class EpollPackageCyclesTest {

    @Test
    void loopEpollHasNoPackageCycle() {
        PackageCycles.assertNone(EpollPollerProvider.class);
    }
}
