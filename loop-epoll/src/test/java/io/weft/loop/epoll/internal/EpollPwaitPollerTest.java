package io.weft.loop.epoll.internal;

import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.testkit.PollerContract;
import io.weft.loop.testkit.TestPipe;
import java.io.IOException;
import java.util.Optional;

/** The poller contract on epoll forced to {@code epoll_pwait} (millisecond timeouts), as on kernels before 5.11. */
class EpollPwaitPollerTest extends PollerContract {
    @Override
    protected PollerProvider provider() {
        return new PollerProvider() {
            @Override
            public String name() {
                return "epoll-pwait";
            }

            @Override
            public int priority() {
                return -1;
            }

            @Override
            public Optional<String> unavailabilityCause() {
                return Optional.empty();
            }

            @Override
            public Poller newPoller() throws IOException {
                EpollPoller poller = EpollPoller.open(new EpollPoller.Options(true, false));
                if (!poller.waitCallName().equals("epoll_pwait")) {
                    throw new AssertionError("expected epoll_pwait, got " + poller.waitCallName());
                }
                return poller;
            }
        };
    }

    @Override
    protected TestPipe newPipe() throws IOException {
        return new EpollTestPipe();
    }
}
