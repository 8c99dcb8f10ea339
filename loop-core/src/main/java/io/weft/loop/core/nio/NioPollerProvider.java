package io.weft.loop.core.nio;

import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;
import java.util.Optional;

/** The portable poller on {@link java.nio.channels.Selector}: always available, lowest priority. */
public final class NioPollerProvider implements PollerProvider {

    /** The name {@code -Dweft.poller=nio} selects. */
    public static final String NAME = "nio";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        return Optional.empty();
    }

    @Override
    public Poller newPoller() throws IOException {
        return new NioPoller();
    }
}
