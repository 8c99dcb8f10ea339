package io.weft.loop.iouring;

import io.weft.loop.testkit.PackageCycles;
import org.junit.jupiter.api.Test;

class IoUringPackageCyclesTest {

    @Test
    void loopIouringHasNoPackageCycle() {
        PackageCycles.assertNone(IoUringPollerProvider.class, io.weft.loop.epoll.Epoll.class);
    }
}
