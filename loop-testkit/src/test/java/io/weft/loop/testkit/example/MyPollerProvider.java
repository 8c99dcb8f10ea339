package io.weft.loop.testkit.example;

import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.testkit.InstalledPollers;
import java.io.IOException;
import java.util.Optional;

/**
 * The README's example backend: a poller provider of your own. This one hands out loop-core's NIO
 * pollers under its own name; yours opens your poller.
 */
public final class MyPollerProvider implements PollerProvider {
    private final PollerProvider nio = InstalledPollers.named("nio");

    @Override
    public String name() {
        return "mine";
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
        return nio.newPoller();
    }
}
