package io.weft.loop.core.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * A factory of {@link Poller}s, found with {@link java.util.ServiceLoader}.
 *
 * <p>The loop uses the available provider with the highest {@link #priority()}, unless the system
 * property {@code weft.poller} names one. A provider must be cheap to construct and must not throw
 * from {@link #name()}, {@link #priority()} or {@link #unavailabilityCause()}.
 */
public interface PollerProvider {

    /** {@return a short lower-case name, the value {@code -Dweft.poller=} selects it by (nio, epoll)} */
    String name();

    /**
     * Higher wins when several are available; the portable NIO poller has 0.
     *
     * @return this provider's rank among the available ones
     */
    int priority();

    /**
     * {@return why this provider cannot be used on this machine or JVM, with what to do about it; empty when
     * it can}
     */
    Optional<String> unavailabilityCause();

    /** {@return whether {@link #newPoller()} can be called} */
    default boolean isAvailable() {
        return unavailabilityCause().isEmpty();
    }

    /**
     * Opens a new poller.
     *
     * @return the poller, which the loop owns and closes
     * @throws IOException if the OS refuses (e.g. out of file descriptors)
     * @throws IllegalStateException if the provider is not available, with the cause
     */
    Poller newPoller() throws IOException;
}
